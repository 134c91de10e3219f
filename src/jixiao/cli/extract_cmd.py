"""jixiao extract FILE... [--engine] [--format table|json] [--jobs N]"""

from __future__ import annotations

import sys

import click

from ..parallel import Work
from .common import iter_extracted, write_documents_json
from .options import engine_option, files_argument, format_option, jobs_option


@click.command("extract")
@files_argument
@engine_option
@format_option
@jobs_option
def command(files: tuple[str, ...], engine: str, fmt: str, jobs: int | None) -> None:
    """读取报表，输出结构化的指标模型（FILE 可为文件夹、.zip 压缩包，或 - 表示标准输入）。"""
    if fmt == "json":
        # each document's JSON is written by the worker that read it; none is kept here
        got = iter_extracted(files, engine, jobs, work=Work(as_json=True, keep_doc=False))
        write_documents_json((g.json for g in got if g.json is not None), sys.stdout.buffer)
        sys.stdout.flush()
        return
    from rich.console import Console

    from ..render import render_document

    console = Console()
    for g in iter_extracted(files, engine, jobs):
        assert g.doc is not None
        render_document(g.doc, console)
