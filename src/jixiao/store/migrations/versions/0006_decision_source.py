"""An index on the decisions' source: a page of one run reads its documents' decisions
(``DecisionStore.for_run``), not the whole store.

Revision ID: 0006
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("decisions_source", "decisions", ["source"])


def downgrade() -> None:
    op.drop_index("decisions_source", "decisions")
