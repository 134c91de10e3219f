"""Where a store lives and how to talk to it: a SQLite file (the default, no set-up) or a
PostgreSQL server (``JIXIAO_DATABASE_URL=postgresql://…``, psycopg 3), both through one
SQLAlchemy engine.

SQLite keeps the durability of the single-user tool: WAL journal, ``synchronous=FULL``, one
connection guarded by a lock, and a write transaction that starts with ``BEGIN IMMEDIATE``
(so a locked database is noticed before anything is read for the write). PostgreSQL gets a
connection pool; writes of one finding are serialised with an advisory lock.
"""

from __future__ import annotations

import os
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import QueuePool, StaticPool

from ..errors import ConfigError, InputError, JixiaoError

URL_ENV = "JIXIAO_DATABASE_URL"
BUSY_ENV = "JIXIAO_DB_BUSY_MS"
DEFAULT_BUSY_MS = 10_000
CONNECT_TIMEOUT_S = 5
BUSY_MESSAGE = "审核数据库被占用（可能另一位审核人或备份程序正在写入）"


class StoreWriteError(JixiaoError):
    """A change could not be written: the database is locked (``busy``) or cannot be written."""

    def __init__(self, message: str, *, busy: bool = False) -> None:
        super().__init__(message)
        self.busy = busy


def busy_ms() -> int:
    """How long a write waits for a database another program holds locked (``JIXIAO_DB_BUSY_MS``)."""
    raw = os.environ.get(BUSY_ENV, "").strip()
    if not raw:
        return DEFAULT_BUSY_MS
    try:
        ms = int(raw)
    except ValueError:
        ms = -1
    if ms < 0:
        raise ConfigError(f"{BUSY_ENV}={raw!r}: 应为毫秒数（不小于 0 的整数），例如 {DEFAULT_BUSY_MS}")
    return ms


@dataclass(frozen=True)
class Target:
    """A store's place: ``path`` for a SQLite file (or ``:memory:``), ``url`` for a server."""

    path: Path | None
    url: URL | None

    @property
    def is_server(self) -> bool:
        return self.url is not None

    @property
    def memory(self) -> bool:
        return self.path is not None and str(self.path) == ":memory:"

    @property
    def display(self) -> str:
        """What a message names: the file, or the server and database (never a password)."""
        if self.url is None:
            return str(self.path)
        return describe_url(self.url)


def describe_url(url: URL) -> str:
    host = url.host or (url.query.get("host") or "本机")
    if isinstance(host, tuple):
        host = host[0]
    port = f":{url.port}" if url.port else ""
    return f"{url.get_backend_name()}://{host}{port}/{url.database or ''}"


def is_url(text: str) -> bool:
    return "://" in text


def url_configured() -> bool:
    """``JIXIAO_DATABASE_URL`` is set: every face uses that store, whatever file ``--db`` names."""
    return is_url(os.environ.get(URL_ENV, "").strip())


def resolve(where: str | Path | None) -> Target:
    """A ``--db`` value (a path, or a URL) or, without one, ``JIXIAO_DATABASE_URL``.

    A URL in ``JIXIAO_DATABASE_URL`` wins over a path: it is what puts every face of a team
    on one store. A path given as a URL (``sqlite:///x.sqlite``) is a SQLite file."""
    text = str(where) if where is not None else ""
    env = os.environ.get(URL_ENV, "").strip()
    if not is_url(text) and env:
        text = env
    if not is_url(text):
        if not text:
            raise ConfigError(f"没有指定审核数据库：请用 --db 指定文件，或设置 {URL_ENV}")
        return Target(Path(text), None)
    try:
        url = make_url(text)
    except exc.ArgumentError as e:
        raise ConfigError(f"数据库地址格式不对：{_redact(text)}（应为 postgresql://用户@主机/库名）") from e
    backend = url.get_backend_name()
    if backend == "sqlite":
        return Target(Path(url.database or ":memory:"), None)
    if backend in ("postgresql", "postgres"):
        return Target(None, url.set(drivername="postgresql+psycopg"))
    raise ConfigError(f"不支持的数据库：{_redact(text)}（支持 SQLite 文件或 postgresql://…）")


def _redact(text: str) -> str:
    from ..llm.settings import redact

    return re.sub(r"(?i)(password=)[^&\s]+", r"\1***", redact(text))


# --------------------------------------------------------------------------- engines


def sqlite_engine(path: Path, busy: int) -> Engine:
    def connect() -> sqlite3.Connection:
        # looked up at each call (tests make the file read-only by wrapping sqlite3.connect);
        # autocommit mode: every transaction is an explicit BEGIN … COMMIT
        return sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=busy / 1000)

    engine = create_engine("sqlite://", creator=connect, poolclass=StaticPool)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi: sqlite3.Connection, _record: Any) -> None:
        dbapi.execute("PRAGMA journal_mode=WAL")
        dbapi.execute("PRAGMA synchronous=FULL")
        dbapi.execute(f"PRAGMA busy_timeout={busy}")

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        # reads begin DEFERRED (they never wait for a writer in WAL); writes ask for the lock first
        conn.exec_driver_sql(f"BEGIN {conn.get_execution_options().get('sqlite_begin', 'DEFERRED')}")

    return engine


def postgres_engine(url: URL, busy: int) -> Engine:
    engine = create_engine(
        url,
        poolclass=QueuePool,
        pool_size=int(os.environ.get("JIXIAO_DB_POOL", "10")),
        max_overflow=10,
        pool_pre_ping=True,
        connect_args={"connect_timeout": CONNECT_TIMEOUT_S, "application_name": "jixiao"},
    )

    @event.listens_for(engine, "connect")
    def _session(dbapi: Any, _record: Any) -> None:
        with dbapi.cursor() as cur:  # a row lock held elsewhere is waited for as long as SQLite's
            cur.execute(f"SET lock_timeout = {int(busy)}")
        dbapi.commit()

    return engine


def open_engine(target: Target, busy: int) -> Engine:
    """An engine whose first connection works, or ``InputError`` naming the file or host."""
    if target.url is None:
        assert target.path is not None
        engine = sqlite_engine(target.path, busy)
    else:
        engine = postgres_engine(target.url, busy)
    try:
        engine.connect().close()
    except exc.DBAPIError as e:
        engine.dispose()
        raise open_error(target, e) from e
    return engine


def open_error(target: Target, e: exc.DBAPIError) -> InputError:
    """The one line a reviewer reads when a store cannot be opened."""
    orig = e.orig
    where = target.display
    if target.url is None:
        if isinstance(orig, sqlite3.Error) and is_busy(orig):
            return InputError(f"{where}: {BUSY_MESSAGE}，无法打开，请稍后再试 ({orig})")
        if isinstance(orig, sqlite3.Error) and is_readonly(orig):
            return InputError(f"{where}: 审核数据库只读，无法保存审核结论；请检查文件权限，或用 --db 指定可写的位置")
        return InputError(f"{where}: 无法打开审核数据库 ({orig})；请检查文件及所在文件夹的权限")
    reason = " ".join(str(orig).split())
    return InputError(f"无法连接数据库服务器 {where}：{_redact(reason)[:300]}；请检查 {URL_ENV} 及服务器是否已启动")


def is_busy(e: BaseException) -> bool:
    if isinstance(e, exc.DBAPIError):
        e = e.orig  # type: ignore[assignment]
    if isinstance(e, sqlite3.Error):
        code = getattr(e, "sqlite_errorcode", None)
        if code is not None:
            return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
        return "locked" in str(e) or "busy" in str(e)
    # PostgreSQL: lock_not_available (lock_timeout), deadlock, serialization failure
    return getattr(e, "sqlstate", None) in ("55P03", "40P01", "40001")


def is_readonly(e: BaseException) -> bool:
    if isinstance(e, exc.DBAPIError):
        e = e.orig  # type: ignore[assignment]
    if isinstance(e, sqlite3.Error):
        code = getattr(e, "sqlite_errorcode", None)
        if code is not None:
            return code & 0xFF == sqlite3.SQLITE_READONLY
        return "readonly" in str(e)
    return getattr(e, "sqlstate", None) in ("25006", "42501")  # read-only transaction, no privilege
