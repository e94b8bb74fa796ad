"""Master records, their versions, the outbox/inbox and the platform's API keys and idempotency keys.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op
from messaging.schema import MESSAGING_METADATA, create_messaging_schema
from retail_platform.tables import create_platform_schema, drop_platform_schema
from sqlalchemy.dialects.postgresql import JSONB

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _record_columns() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("record_type", sa.Text, nullable=False),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("version", sa.BigInteger, nullable=False),
        sa.Column("content", JSONB, nullable=False),
        sa.Column("content_hash", sa.Text, nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    op.create_table("master_records", *_record_columns(), sa.PrimaryKeyConstraint("record_type", "key"))
    op.create_table(
        "master_record_versions",
        *_record_columns(),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("correlation_id", sa.Text),
        sa.PrimaryKeyConstraint("record_type", "key", "version"),
    )
    create_messaging_schema(op.get_bind())
    create_platform_schema(op.get_bind())


def downgrade() -> None:
    drop_platform_schema(op.get_bind())
    MESSAGING_METADATA.drop_all(op.get_bind())
    op.drop_table("master_record_versions")
    op.drop_table("master_records")
