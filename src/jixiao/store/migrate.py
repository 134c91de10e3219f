"""Schema versions, with Alembic: the migrations ship inside the package
(``jixiao/store/migrations``) and run on every opening of a store that is behind.

A SQLite store written before Alembic (its own ``_migrations`` table) is adopted by the
baseline revision, which creates only the tables it lacks; nothing of it is rewritten.
"""

from __future__ import annotations

from functools import cache

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

SCRIPT_LOCATION = "jixiao.store:migrations"
# any constant: PostgreSQL sessions opening a fresh database migrate one after the other
_PG_MIGRATION_LOCK = 0x6A697869616F


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", SCRIPT_LOCATION)
    return cfg


@cache
def revisions() -> tuple[str, ...]:
    """Every revision, oldest first; the last is the head."""
    script = ScriptDirectory.from_config(_config())
    return tuple(reversed([s.revision for s in script.walk_revisions()]))


def current(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, target: str = "head") -> list[str]:
    """Bring the schema to ``target`` (default: the newest); answers the revisions applied."""
    head = revisions()[-1] if target == "head" else target
    with engine.connect() as conn:
        if current(conn) == head:
            return []
    with engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn, conn.begin():
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
        before = current(conn)
        if before == head:
            return []
        cfg = _config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, target)
    order = revisions()
    start = order.index(before) + 1 if before in order else 0
    return list(order[start : order.index(head) + 1])
