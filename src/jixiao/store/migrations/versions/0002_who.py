"""Who decided: the last writer of a decision, and the author of every event.

Revision ID: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("decisions", sa.Column("decided_by", sa.Text))
    op.add_column("events", sa.Column("by", sa.Text))


def downgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.drop_column("by")
    with op.batch_alter_table("decisions") as batch:
        batch.drop_column("decided_by")
