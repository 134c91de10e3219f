"""The schema before Alembic (decisions, events, cache): a store written by jixiao up to
2026-12 has these tables and its own ``_migrations`` list; each table is created only when
missing, so such a store is adopted as it is, every decision kept.

Revision ID: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    have = set(sa.inspect(op.get_bind()).get_table_names())
    if "decisions" not in have:
        op.create_table(
            "decisions",
            sa.Column("key", sa.Text, primary_key=True),
            sa.Column("decision", sa.Text),
            sa.Column("reason", sa.Text),
            sa.Column("note", sa.Text),
            sa.Column("decided_at", sa.Text),
            sa.Column("check_id", sa.Text),
            sa.Column("source", sa.Text),
            sa.Column("project", sa.Text),
            sa.Column("kind", sa.Text),
            sa.Column("severity", sa.Text),
            sa.Column("message", sa.Text),
            sa.Column("lines", sa.Text),
            sa.CheckConstraint("decision IN ('confirmed', 'dismissed')", name="decision_value"),
        )
    if "events" not in have:
        op.create_table(
            "events",
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("key", sa.Text, nullable=False),
            sa.Column("decision", sa.Text),
            sa.Column("reason", sa.Text),
            sa.Column("note", sa.Text),
            sa.Column("at", sa.Text, nullable=False),
            sqlite_autoincrement=True,
        )
        op.create_index("events_key", "events", ["key"])
    if "cache" not in have:
        op.create_table(
            "cache",
            sa.Column("key", sa.Text, primary_key=True),
            sa.Column("data", sa.LargeBinary, nullable=False),
            sa.Column("used_at", sa.Text, nullable=False),
        )


def downgrade() -> None:
    for table in ("cache", "events", "decisions"):
        op.drop_table(table)
