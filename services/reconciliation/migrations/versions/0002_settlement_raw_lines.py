"""Settlement evidence of plain CSV files as the line's own text plus the file's header; indexes
for the run's reads of chargeback and payout lines.

A plain settlement file (one record per line, no quoting) keeps each line's text in
`settlement_lines.raw_line` and its header once in `recon_files.raw_header`, instead of a JSON object
per line (`raw`), which repeated the header on every line and made a million-line file several times
larger to load. Evidence shows both the same way (`recon_raw_fields`).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# The run reads a file's few chargeback and payout lines among a million payments.
INDEXES = [
    "CREATE INDEX ix_settlement_lines_chargebacks ON settlement_lines (legal_entity_id)"
    " WHERE record_type = 'chargeback'",
    "CREATE INDEX ix_settlement_lines_payouts ON settlement_lines (legal_entity_id)"
    " WHERE record_type = 'payout'",
]


def upgrade() -> None:
    for statement in INDEXES:
        op.execute(statement)
    op.execute("ALTER TABLE settlement_lines ADD COLUMN raw_line text")
    op.execute("ALTER TABLE recon_files ADD COLUMN raw_header text[]")
    op.execute(
        """CREATE FUNCTION recon_raw_fields(raw json, raw_line text, file text) RETURNS json
           LANGUAGE sql STABLE AS $$
            SELECT coalesce(raw, (
                SELECT json_object(f.raw_header,
                                   (string_to_array(raw_line, ','))[1:cardinality(f.raw_header)])
                  FROM recon_files f WHERE f.file_id = file AND raw_line IS NOT NULL))
        $$"""
    )


def downgrade() -> None:
    op.execute("DROP INDEX ix_settlement_lines_chargebacks, ix_settlement_lines_payouts")
    op.execute("UPDATE settlement_lines SET raw = recon_raw_fields(raw, raw_line, file_id) WHERE raw IS NULL")
    op.execute("DROP FUNCTION recon_raw_fields(json, text, text)")
    op.execute("ALTER TABLE recon_files DROP COLUMN raw_header")
    op.execute("ALTER TABLE settlement_lines DROP COLUMN raw_line")
