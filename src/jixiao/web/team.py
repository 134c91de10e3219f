"""Serving a team: whether ``jixiao serve`` needs accounts, and whether it may start.

Without accounts the page is one reviewer's, with no login: it binds the loopback address
only. A team store (PostgreSQL) always has accounts; ``--accounts`` turns them on for a
SQLite store. With accounts on and nobody to log in, the server does not start."""

from __future__ import annotations

from ..errors import InputError
from ..store import DecisionStore, backend
from ..store.accounts import Accounts
from .settings import LOOPBACK_HOSTS, WebSettings


def check_serving(host: str, settings: WebSettings, accounts: bool) -> bool:
    """Whether the server runs with accounts; ``InputError`` (one line, exit 2) when it must
    not start: no accounts on an address other machines reach, or accounts and no user."""
    from .app import _prepare_data_dir

    team = accounts or is_server(settings)
    if not team:
        if host not in LOOPBACK_HOSTS:
            raise InputError(
                f"未启用账户时网页只能监听 127.0.0.1（现为 {host}）：请先用 jixiao user add 创建账户，"
                "再加 --accounts 启动，或使用团队数据库（JIXIAO_DATABASE_URL）"
            )
        return False
    _prepare_data_dir(settings)  # the data directory's modes first: the store goes inside it
    with DecisionStore(settings.decisions_path, recover=False) as store:
        if not Accounts(store).users():
            raise InputError(f"{store.name} 中还没有账户：请先运行 jixiao user add 姓名 --role lead 创建负责人账户")
    return True


def is_server(settings: WebSettings) -> bool:
    """The page's store is a server's (PostgreSQL): a team's, with accounts."""
    return backend.resolve(settings.decisions_path).is_server
