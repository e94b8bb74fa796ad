"""Partial indexes for the few rows a run reads among millions.

The variances read a file's converted lines (gross in another currency than the net) for their
currency-conversion legs; most files have none, so the run finds them through a partial index
instead of scanning every line of the file a second time. Every run re-checks the entity's matches
whose two sides differ (amount mismatches): through a partial index of those, not every match the
entity ever made.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


INDEXES = [
    "CREATE INDEX ix_settlement_lines_converted ON settlement_lines (file_id)"
    " WHERE currency <> net_currency AND gross_minor IS NOT NULL",
    "CREATE INDEX ix_settlement_matches_differing ON settlement_matches (legal_entity_id)"
    " WHERE settlement_minor <> ledger_minor",
]


def upgrade() -> None:
    for statement in INDEXES:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP INDEX ix_settlement_lines_converted, ix_settlement_matches_differing")
