"""Every year's forms, kept for the checks across years (``jixiao.checks.history``): one row
per form read, with the keys those checks look forms up by.

Revision ID: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "forms",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("fingerprint", sa.Text, nullable=False, unique=True),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("first_line", sa.Integer, nullable=False),
        sa.Column("year", sa.Integer),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("project", sa.Text),
        sa.Column("project_key", sa.Text, nullable=False),
        sa.Column("unit_key", sa.Text, nullable=False),
        sa.Column("amount", sa.Float),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.Column("added_at", sa.Text, nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("forms_project", "forms", ["project_key", "year"])
    op.create_index("forms_unit", "forms", ["unit_key", "year", "kind"])


def downgrade() -> None:
    op.drop_table("forms")
