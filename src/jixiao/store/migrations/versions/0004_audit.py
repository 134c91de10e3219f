"""Signed and audited decisions: who wrote the note and when, every change of a field with
its old and new value, each reviewer's own opinion of a finding, and whether they disagree.

Revision ID: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("decisions", sa.Column("noted_by", sa.Text))
    op.add_column("decisions", sa.Column("noted_at", sa.Text))
    op.add_column("decisions", sa.Column("conflict", sa.Integer, nullable=False, server_default="0"))
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("field", sa.Text, nullable=False),
        sa.Column("old", sa.Text),
        sa.Column("new", sa.Text),
        sa.Column("by", sa.Text),
        sa.Column("at", sa.Text, nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("audit_key", "audit", ["key"])
    op.create_table(
        "opinions",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("user_name", sa.Text, primary_key=True),
        sa.Column("decision", sa.Text, nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("at", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("opinions")
    op.drop_table("audit")
    with op.batch_alter_table("decisions") as batch:
        for column in ("conflict", "noted_at", "noted_by"):
            batch.drop_column(column)
