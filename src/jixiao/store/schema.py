"""The tables at the newest schema version, for SQLAlchemy Core queries.

The migrations (``migrations/versions``) are what creates and changes them in a database;
this module only describes the result, so a query is written once for SQLite and PostgreSQL.
Times are ISO-8601 text in UTC (``records.now``): they sort as strings on both backends.
"""

from __future__ import annotations

from sqlalchemy import Column, Float, Integer, LargeBinary, MetaData, Table, Text

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
    Column("source", Text, index=True),  # index decisions_source (0006)
    Column("project", Text),
    Column("kind", Text),
    Column("severity", Text),
    Column("message", Text),
    Column("lines", Text),  # JSON list of source lines
    Column("decided_by", Text),
    Column("noted_by", Text),
    Column("noted_at", Text),
    Column("conflict", Integer, nullable=False, server_default="0"),  # 1: reviewers disagree
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

# who changed which field of a finding's decision, from what to what
audit = Table(
    "audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", Text, nullable=False),
    Column("field", Text, nullable=False),  # decision | reason | note
    Column("old", Text),
    Column("new", Text),
    Column("by", Text),
    Column("at", Text, nullable=False),
    sqlite_autoincrement=True,
)

# each reviewer's standing decision of a finding: a second reviewer's word never erases the
# first's; when they differ the finding is in conflict until they agree (or one undoes)
opinions = Table(
    "opinions",
    metadata,
    Column("key", Text, primary_key=True),
    Column("user_name", Text, primary_key=True),
    Column("decision", Text, nullable=False),
    Column("reason", Text),
    Column("at", Text, nullable=False),
)

# extracted documents and findings of the last run, by content key (zlib-compressed JSON)
cache = Table(
    "cache",
    metadata,
    Column("key", Text, primary_key=True),
    Column("data", LargeBinary, nullable=False),
    Column("used_at", Text, nullable=False),
)

# --------------------------------------------------------------------------- accounts (a team store)

users = Table(
    "users",
    metadata,
    Column("name", Text, primary_key=True),
    Column("role", Text, nullable=False),  # reviewer | lead
    Column("password_hash", Text, nullable=False),  # argon2id, with its salt and parameters
    Column("created_at", Text, nullable=False),
    Column("failed_logins", Integer, nullable=False),
    Column("locked_until", Text),
)

# a browser's login: the cookie holds the token, the table only its SHA-256
web_sessions = Table(
    "web_sessions",
    metadata,
    Column("token_hash", Text, primary_key=True),
    Column("user_name", Text, nullable=False),
    Column("csrf", Text, nullable=False),
    Column("created_at", Text, nullable=False),
    Column("expires_at", Text, nullable=False),
)

# which reviewer reviews which batch (a run of the web page)
assignments = Table(
    "assignments",
    metadata,
    Column("run_id", Text, primary_key=True),
    Column("user_name", Text, primary_key=True),
    Column("assigned_by", Text),
    Column("assigned_at", Text, nullable=False),
)

signoffs = Table(
    "signoffs",
    metadata,
    Column("run_id", Text, primary_key=True),
    Column("signed_by", Text, nullable=False),
    Column("signed_at", Text, nullable=False),
    Column("note", Text),
)

# --------------------------------------------------------------------------- every year's forms

forms = Table(
    "forms",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("fingerprint", Text, nullable=False, unique=True),  # file name + the form's content
    Column("source", Text, nullable=False),
    Column("first_line", Integer, nullable=False),
    Column("year", Integer),
    Column("kind", Text, nullable=False),
    Column("project", Text),
    Column("project_key", Text, nullable=False),
    Column("unit_key", Text, nullable=False),  # 实施单位, else 主管部门
    Column("amount", Float),  # the form's main amount (申请总额 / 全年预算数)
    Column("data", LargeBinary, nullable=False),  # the Form, zlib-compressed JSON
    Column("added_at", Text, nullable=False),
    sqlite_autoincrement=True,
)
