"""Store the transaction payload as `json` (its text, checked to be JSON) instead of `jsonb`.

The payload is the priced transaction as the ledger recorded it; it is only ever read back whole and
decoded (payload::text), never queried inside. Building jsonb's binary form was the largest cost of
writing a transaction row (~30 us of server CPU per transaction on the ledger bench, half the row's
cost); `json` keeps the column JSON-typed and readable with the same JSON operators.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from alembic import op
from sqlalchemy import text

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_HAS_LZ4 = text("SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'")


def _retype(type_name: str) -> None:
    op.execute(
        f"ALTER TABLE sales_transactions ALTER COLUMN payload TYPE {type_name} USING payload::{type_name}"
    )
    if op.get_bind().execute(_HAS_LZ4).scalar():  # keep 0003's setting
        op.execute("ALTER TABLE sales_transactions ALTER COLUMN payload SET COMPRESSION lz4")


def upgrade() -> None:
    _retype("json")


def downgrade() -> None:
    _retype("jsonb")
