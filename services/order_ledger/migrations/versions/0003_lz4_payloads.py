"""Compress the large payload columns with lz4 instead of pglz (where the server was built with it).

Every posted transaction stores its priced payload and two outbox events of 1-3 kB; past ~2 kB
PostgreSQL compresses them, and pglz was a measurable share of the ledger's write path (lz4 costs far
less CPU for a similar ratio). A storage setting only: existing values stay as they are, and a server
without lz4 keeps pglz.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from alembic import op
from sqlalchemy import text

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_COLUMNS = (("sales_transactions", "payload"), ("outbox", "payload"))
_HAS_LZ4 = text("SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'")


def _set(method: str) -> None:
    if method == "lz4" and not op.get_bind().execute(_HAS_LZ4).scalar():
        return
    for table, column in _COLUMNS:
        op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET COMPRESSION {method}")


def upgrade() -> None:
    _set("lz4")


def downgrade() -> None:
    _set("pglz")
