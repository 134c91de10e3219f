"""The store's backends for tests: a SQLite file always, PostgreSQL when
``JIXIAO_TEST_PG_URL`` names a server (``.ci/run`` starts a throwaway one). Each test gets a
fresh place: its own file, or its own PostgreSQL schema (dropped afterwards).

Import the fixtures into a test module (``from store_backends import store_url``) and every
test taking ``store_url`` runs once per backend."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

PG_URL = os.environ.get("JIXIAO_TEST_PG_URL", "").strip()
needs_pg = pytest.mark.skipif(not PG_URL, reason="JIXIAO_TEST_PG_URL not set (no PostgreSQL server)")
BACKENDS = ["sqlite", pytest.param("postgresql", marks=needs_pg)]


@contextmanager
def pg_schema() -> Iterator[str]:
    """A URL of the test server whose connections see only a new, empty schema."""
    import psycopg
    from sqlalchemy.engine import make_url

    name = f"t_{uuid.uuid4().hex[:16]}"
    admin = make_url(PG_URL).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{name}"')
    url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={name}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{name}" CASCADE')


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Where a store goes: a SQLite file's path, or a PostgreSQL URL of a fresh schema."""
    if request.param == "sqlite":
        yield str(tmp_path / "d.sqlite")
        return
    with pg_schema() as url:
        yield url
