"""jixiao user add NAME --role reviewer|lead [--db PATH]; jixiao user list [--db PATH]

Accounts live in the store the web server uses: ``JIXIAO_DATABASE_URL`` (a team's
PostgreSQL), else ``--db``, else the web page's own database in its data directory (what
``jixiao serve --accounts`` opens)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import InputError

_db_option = click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="账户所在的数据库（默认：设置了 JIXIAO_DATABASE_URL 时用它，否则网页数据目录中的数据库）",
)


def _store_path(db: Path | None) -> Path:
    from ..web.settings import WebSettings

    return db if db is not None else WebSettings().decisions_path


def read_password() -> str:
    """Twice from a terminal (not echoed); from standard input's first line when piped."""
    if sys.stdin is not None and sys.stdin.isatty():
        return click.prompt("密码", hide_input=True, confirmation_prompt="再输入一次密码", err=True)
    line = sys.stdin.readline() if sys.stdin is not None else ""
    password = line.rstrip("\r\n")
    if not password:
        raise InputError("没有读到密码：请在终端中输入，或从标准输入传入一行密码")
    return password


@click.group("user")
def command() -> None:
    """账户：团队审核服务器（jixiao serve --accounts 或 PostgreSQL 数据库）的审核人与负责人。"""


@command.command("add")
@click.argument("name")
@click.option(
    "--role",
    type=click.Choice(["reviewer", "lead"]),
    required=True,
    help="reviewer：审核分配给自己的批次；lead：分配批次、查看全部、签发",
)
@_db_option
def add(name: str, role: str, db: Path | None) -> None:
    """新建账户 NAME；密码在终端中输入两次（或从标准输入读一行）。"""
    from ..store import DecisionStore
    from ..store.accounts import MIN_PASSWORD, Accounts
    from ..zh import ACCOUNT_ROLE_LABEL

    password = read_password()
    if len(password) < MIN_PASSWORD:
        raise InputError(f"密码太短：至少 {MIN_PASSWORD} 个字符")
    with DecisionStore(_store_path(db), recover=False) as store:
        user = Accounts(store).add_user(name, role, password)
        where = store.name
    label = ACCOUNT_ROLE_LABEL[user.role]
    click.echo(f"已创建{label} {user.name}（{where}）", err=True)


@command.command("list")
@_db_option
def list_users(db: Path | None) -> None:
    """列出账户及其角色。"""
    from ..store import DecisionStore
    from ..store.accounts import Accounts

    with DecisionStore(_store_path(db), recover=False) as store:
        for user in Accounts(store).users():
            click.echo(f"{user.name}\t{user.role}")
