"""jixiao extract FILE... [--engine] [--format table|json]"""

from __future__ import annotations

import click

from .common import documents_json, echo_json, load_documents
from .options import engine_option, files_argument, format_option


@click.command("extract")
@files_argument
@engine_option
@format_option
def command(files: tuple[str, ...], engine: str, fmt: str) -> None:
    """读取报表，输出结构化的指标模型（FILE 可为 - 表示标准输入）。"""
    docs = load_documents(files, engine)
    if fmt == "json":
        echo_json(documents_json(docs))
        return
    from rich.console import Console

    from ..render import render_document

    console = Console()
    for doc in docs:
        render_document(doc, console)
