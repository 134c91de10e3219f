"""The store: review decisions and notes (with who and when, and their history), the run
cache, and (on a team store) accounts; SQLite by default, PostgreSQL with
``JIXIAO_DATABASE_URL``. One interface for both, on SQLAlchemy Core, schema versioned with
Alembic. The modules, by meaning:

- ``keys``: the identity of a finding across runs (``decision_key``), the default file
- ``records``: ``Decision``, ``PendingChange``
- ``sidecar``: changes not yet written, kept beside the database
- ``backend``: which database, engines, what its errors mean
- ``schema`` and ``migrate`` (+ ``migrations/``): the tables and their versions
- ``decisions``: ``DecisionStore``
"""

import sqlite3  # noqa: F401  (jixiao.store.sqlite3: the driver the SQLite backend calls, for tests to wrap)

from ..zh import DECISION_LABEL
from .backend import BUSY_ENV, BUSY_MESSAGE, DEFAULT_BUSY_MS, URL_ENV, StoreWriteError, busy_ms, url_configured
from .decisions import RECOVER_BUSY_MS, USER_ENV, DecisionStore, default_user
from .keys import decision_key, decision_keys, default_db_path
from .records import DECISION_VALUES, Change, Decision, DecisionValue, Opinion, PendingChange, decisions_for
from .sidecar import read_unsaved, unsaved_path

__all__ = [
    "BUSY_ENV",
    "BUSY_MESSAGE",
    "DECISION_LABEL",
    "DECISION_VALUES",
    "DEFAULT_BUSY_MS",
    "RECOVER_BUSY_MS",
    "URL_ENV",
    "USER_ENV",
    "Change",
    "Decision",
    "DecisionStore",
    "DecisionValue",
    "Opinion",
    "PendingChange",
    "StoreWriteError",
    "busy_ms",
    "decision_key",
    "decision_keys",
    "decisions_for",
    "default_db_path",
    "default_user",
    "read_unsaved",
    "unsaved_path",
    "url_configured",
]
