"""Options shared by several commands, declared once."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import click

from ..engines import ENGINES

F = TypeVar("F", bound=Callable[..., object])

# a FILE may be a folder (every file under it) or a .zip of forms: see jixiao.batch
files_argument = click.argument("files", nargs=-1, required=True, type=str, metavar="FILE...")


def engine_option(f: F) -> F:
    return click.option(
        "--engine",
        type=click.Choice(ENGINES),
        default="rules",
        show_default=True,
        help="抽取引擎：rules（规则，离线）、llm、hybrid（规则失败时才用 LLM）",
    )(f)


def format_option(f: F) -> F:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["table", "json"]),
        default="table",
        show_default=True,
        help="输出格式：table（终端表格）或 json（契约 JSON）",
    )(f)


def jobs_option(f: F) -> F:
    return click.option(
        "--jobs",
        "-j",
        "jobs",
        type=click.IntRange(min=1),
        default=None,
        help="并行读取的进程数（默认：可用的 CPU 核数；1 表示不并行）",
    )(f)
