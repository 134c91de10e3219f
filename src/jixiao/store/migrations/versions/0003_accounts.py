"""Accounts of a team store: users (argon2 hashes, failed logins), web sessions, batches
(runs) assigned to reviewers, and a lead's sign-off of a batch.

Revision ID: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("name", sa.Text, primary_key=True),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("failed_logins", sa.Integer, nullable=False, server_default="0"),
        sa.Column("locked_until", sa.Text),
        sa.CheckConstraint("role IN ('reviewer', 'lead')", name="user_role"),
    )
    op.create_table(
        "web_sessions",
        sa.Column("token_hash", sa.Text, primary_key=True),
        sa.Column("user_name", sa.Text, sa.ForeignKey("users.name", ondelete="CASCADE"), nullable=False),
        sa.Column("csrf", sa.Text, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("expires_at", sa.Text, nullable=False),
    )
    op.create_table(
        "assignments",
        sa.Column("run_id", sa.Text, primary_key=True),
        sa.Column("user_name", sa.Text, primary_key=True),
        sa.Column("assigned_by", sa.Text),
        sa.Column("assigned_at", sa.Text, nullable=False),
    )
    op.create_index("assignments_user", "assignments", ["user_name"])
    op.create_table(
        "signoffs",
        sa.Column("run_id", sa.Text, primary_key=True),
        sa.Column("signed_by", sa.Text, nullable=False),
        sa.Column("signed_at", sa.Text, nullable=False),
        sa.Column("note", sa.Text),
    )


def downgrade() -> None:
    for table in ("signoffs", "assignments", "web_sessions", "users"):
        op.drop_table(table)
