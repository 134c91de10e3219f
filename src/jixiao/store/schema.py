"""The tables at the newest schema version, for SQLAlchemy Core queries.

The migrations (``migrations/versions``) are what creates and changes them in a database;
this module only describes the result, so a query is written once for SQLite and PostgreSQL.
Times are ISO-8601 text in UTC (``records.now``): they sort as strings on both backends.
"""

from __future__ import annotations

from sqlalchemy import Column, Integer, LargeBinary, MetaData, Table, Text

metadata = MetaData()

# one row per finding: its current decision, reason and note, and what the finding said
decisions = Table(
    "decisions",
    metadata,
    Column("key", Text, primary_key=True),
    Column("decision", Text),
    Column("reason", Text),
    Column("note", Text),
    Column("decided_at", Text),
    Column("check_id", Text),
    Column("source", Text),
    Column("project", Text),
    Column("kind", Text),
    Column("severity", Text),
    Column("message", Text),
    Column("lines", Text),  # JSON list of source lines
    Column("decided_by", Text),
)

# every change of a decision or note, appended: the history of a finding
events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", Text, nullable=False),
    Column("decision", Text),
    Column("reason", Text),
    Column("note", Text),
    Column("at", Text, nullable=False),
    Column("by", Text),
    sqlite_autoincrement=True,
)

# extracted documents and findings of the last run, by content key (zlib-compressed JSON)
cache = Table(
    "cache",
    metadata,
    Column("key", Text, primary_key=True),
    Column("data", LargeBinary, nullable=False),
    Column("used_at", Text, nullable=False),
)
