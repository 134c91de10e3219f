"""jixiao reconcile DECLARED_FILE EVALUATED_FILE [--format table|json]"""

from __future__ import annotations

import click

from ..errors import InputError
from .common import echo_json, iter_documents
from .options import engine_option, format_option


@click.command("reconcile")
@click.argument("declared_file", type=str, metavar="DECLARED_FILE")
@click.argument("evaluated_file", type=str, metavar="EVALUATED_FILE")
@engine_option
@format_option
@click.option(
    "--threshold",
    type=click.FloatRange(0.0, 1.0),
    default=None,
    help="项目配对阈值（0–1，默认 0.6，可在配置文件 [reconcile] 中设置）",
)
def command(declared_file: str, evaluated_file: str, engine: str, fmt: str, threshold: float | None) -> None:
    """核对申报表与自评表：逐个项目配对，列出每个指标的申报目标、自评目标、实际完成值与变化。

    两个文件中的全部表单按类型（申报 / 自评）合并后再配对，所以一个文件同时含两类表单也可以。
    """
    from dataclasses import replace

    from ..checks.records import KeptForm
    from ..reconcile import load_settings, reconcile

    files = (declared_file,) if declared_file == evaluated_file else (declared_file, evaluated_file)
    # one document at a time, of each form only what reconciling reads (a big file's forms
    # are not all held as models)
    declared: list[tuple[KeptForm, str]] = []
    evaluated: list[tuple[KeptForm, str]] = []
    for doc in iter_documents(files, engine):
        for form in doc.forms:
            side = declared if form.kind == "target_declaration" else evaluated
            side.append((KeptForm(form), doc.source))
        del doc
    if not declared:
        raise InputError(f"{declared_file}: 未找到绩效目标申报表 (no target declaration found)")
    if not evaluated:
        raise InputError(f"{evaluated_file}: 未找到绩效自评表 (no self-evaluation found)")
    settings = load_settings()
    if threshold is not None:
        settings = replace(settings, project_threshold=threshold)
    result = reconcile([f for f, _ in declared], [f for f, _ in evaluated], settings)  # type: ignore[misc]
    if fmt == "json":
        echo_json({"declared_file": declared_file, "evaluated_file": evaluated_file, **result.contract_json()})
        return
    from rich.console import Console

    from ..reconcile.render import render_result

    render_result(result, Console(), [s for _, s in declared], [s for _, s in evaluated])
