"""jixiao report FILE... --out PATH.{xlsx,html,pdf,md,json} [--db PATH] [--engine]"""

from __future__ import annotations

from pathlib import Path

import click

from .common import load_documents
from .options import engine_option, files_argument


@click.command("report")
@files_argument
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="输出文件，后缀决定格式：.xlsx、.html、.pdf、.md、.json",
)
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="审核结论数据库（默认：第一个输入文件旁的 <文件>.jixiao.sqlite）",
)
@engine_option
def command(files: tuple[str, ...], out: Path, db: Path | None, engine: str) -> None:
    """导出审核报告：每个问题的检查项、项目、表类型、严重程度、说明、行号，以及审核结论和备注。

    .html 和 .pdf 先给出概况（按严重程度、按检查项的问题数和图表），便于邮寄和打印。"""
    from ..errors import InputError
    from ..report import format_for, write_report
    from ..review.loader import default_checker
    from ..store import DecisionStore, default_db_path, url_configured

    format_for(out)  # a wrong suffix fails before any reading
    docs = load_documents(files, engine)
    run = default_checker()
    if run is None:
        raise InputError("检查模块（jixiao.checks）不可用，无法生成报告 (checks not available)")
    findings = run(docs)
    db_path = db or default_db_path(files[0])
    decisions = {}
    if db_path.exists() or url_configured():  # a team store: JIXIAO_DATABASE_URL
        with DecisionStore(db_path) as store:
            decisions = store.for_run(findings, [d.source for d in docs])  # not other batches of a team store
    elif db is not None:
        click.echo(f"警告：{db_path}: 审核数据库不存在，报告中没有审核结论", err=True)
    try:
        write_report(docs, findings, decisions, out)
    except OSError as e:  # a read-only folder, a full disk, a missing folder: say which file
        raise InputError(f"{out}: 无法写入报告文件 ({e.strerror or e}) (cannot write the report)") from e
    decided = sum(1 for d in decisions.values() if d.decision)
    click.echo(f"已导出 {out}：{len(findings)} 个问题，{decided} 条审核结论", err=True)
