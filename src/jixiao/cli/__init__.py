"""The command line: a thin layer over the Python API.

Each command lives in its own module ``<name>_cmd.py`` exposing ``command``; heavy imports
(textual, fastapi, openai) happen inside the command, so ``jixiao extract`` starts fast.
Errors become one line on stderr and exit status 2 here, at the edge, and nowhere else.
"""

from __future__ import annotations

import importlib
import os
import re
import sys

import click

from .. import __version__
from ..errors import JixiaoError
from .zh_click import ZhGroup, zh_error

COMMANDS = ("extract", "check", "reconcile", "review", "serve", "eval", "report", "user")


@click.group(cls=ZhGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="jixiao", message="%(prog)s %(version)s", help="显示版本号并退出。")
def main() -> None:
    """jixiao（绩效）：财政项目支出绩效目标申报表 / 绩效自评表的读取、审核与核对工具。"""


def _broken(name: str, error: Exception) -> click.Command:
    """A command whose module failed to import still answers, with the reason, exit 2."""

    @click.command(name, context_settings={"ignore_unknown_options": True})
    @click.argument("args", nargs=-1, type=click.UNPROCESSED)
    def broken(args: tuple[str, ...]) -> None:
        raise click.UsageError(f"命令 {name} 不可用：{type(error).__name__}: {error}")

    return broken


for _name in COMMANDS:
    try:
        _mod = importlib.import_module(f".{_name}_cmd", __package__)
    except ModuleNotFoundError as _e:  # a command not built yet
        if _e.name != f"{__package__}.{_name}_cmd":
            main.add_command(_broken(_name, _e))
        continue
    except Exception as _e:  # keep the other commands usable
        main.add_command(_broken(_name, _e))
        continue
    main.add_command(_mod.command)


# the English tag some messages end with for developers and logs: "未找到… (no form found)"
_TAG = r"\([a-z][a-z0-9 ,:'_/.-]*\)"
_ENGLISH_TAG = re.compile(rf"(?<=[\u3000-\u9fff\uff00-\uffef])\s*{_TAG}(?=$|[;；,，\s])|\s+{_TAG}$")


def chinese_only(message: str) -> str:
    """A message without its English tags; a file name in brackets is left alone."""
    return _ENGLISH_TAG.sub("", message)


def run() -> None:
    """Console-script entry point: every expected failure is one line and exit 2."""
    try:
        main.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("已中止", err=True)
        sys.exit(130)
    except click.ClickException as e:
        click.echo(zh_error(e), err=True)
        sys.exit(e.exit_code)
    except JixiaoError as e:
        click.echo(f"错误：{chinese_only(str(e))}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
    except Exception as e:  # a bug of ours: still one line, unless debugging
        if os.environ.get("JIXIAO_DEBUG"):
            raise
        click.echo(f"内部错误：{type(e).__name__}: {e}（设置 JIXIAO_DEBUG=1 查看详情）", err=True)
        sys.exit(1)
    else:
        sys.exit(0)
