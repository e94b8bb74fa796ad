"""An index of the settlement lines converted from one currency into another.

The variances read a file's converted lines (gross in another currency than the net) for their
currency-conversion legs; most files have none, so the run finds them through this partial index
instead of scanning every line of the file a second time.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "CREATE INDEX ix_settlement_lines_converted ON settlement_lines (file_id)"
        " WHERE currency <> net_currency AND gross_minor IS NOT NULL"
    )


def downgrade() -> None:
    op.execute("DROP INDEX ix_settlement_lines_converted")
