"""Tables every service carries in its own database: API keys and idempotency records.

A service's Alembic history creates them (`create_platform_schema` in a migration, or autogenerate
with `PLATFORM_METADATA` among the target metadata).
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY

PLATFORM_METADATA = MetaData()

api_keys = Table(
    "api_keys",
    PLATFORM_METADATA,
    Column("key_id", String(32), primary_key=True),
    Column("secret_sha256", LargeBinary(32), nullable=False),
    Column("owner", Text, nullable=False),
    Column("scopes", ARRAY(Text), nullable=False),
    Column("channels", ARRAY(Text), nullable=False, server_default="{}"),
    Column("legal_entities", ARRAY(Text), nullable=False, server_default="{}"),
    Column("store_clusters", ARRAY(Text), nullable=False, server_default="{}"),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
)

idempotency_keys = Table(
    "idempotency_keys",
    PLATFORM_METADATA,
    Column("key_id", String(32), nullable=False),
    Column("idempotency_key", String(255), nullable=False),
    Column("request_sha256", String(64), nullable=False),
    Column("response_status", Integer, nullable=False),
    Column("response_body", LargeBinary, nullable=False),
    Column("response_media_type", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("key_id", "idempotency_key", name="pk_idempotency_keys"),
)


def create_platform_schema(sync_connection: Connection) -> None:
    """Create the platform tables (e.g. `op.get_bind()` in a migration); existing ones are kept."""
    PLATFORM_METADATA.create_all(sync_connection, checkfirst=True)


def drop_platform_schema(sync_connection: Connection) -> None:
    PLATFORM_METADATA.drop_all(sync_connection, checkfirst=True)
