"""The outbox and inbox tables a service adds to its own database (DESIGN.md section 4).

A service's Alembic migration calls :func:`create_messaging_schema` with its sync connection
(``op.get_bind()``), or includes :data:`MESSAGING_METADATA` in its target metadata.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    DateTime,
    Identity,
    Index,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncEngine

MESSAGING_METADATA = MetaData()

outbox = Table(
    "outbox",
    MESSAGING_METADATA,
    Column("seq", BigInteger, Identity(always=True), primary_key=True),
    Column("event_id", Text, nullable=False, unique=True),
    Column("subject", Text, nullable=False),
    Column("headers", JSONB, nullable=False),
    Column("payload", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("published_at", DateTime(timezone=True), nullable=True),
    comment="Events written with the state change that caused them; the record of what was emitted.",
)
Index("ix_outbox_unpublished", outbox.c.seq, postgresql_where=outbox.c.published_at.is_(None))
Index("ix_outbox_created_at", outbox.c.created_at)

inbox = Table(
    "inbox",
    MESSAGING_METADATA,
    Column("consumer", Text, nullable=False),
    Column("event_id", Text, nullable=False),
    Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("consumer", "event_id", name="pk_inbox"),
    comment="Events each consumer has applied, written in the same transaction as their effect.",
)


def create_messaging_schema(sync_connection: Connection) -> None:
    """Create the outbox and inbox tables (and indexes) if missing."""
    MESSAGING_METADATA.create_all(sync_connection, checkfirst=True)


async def create_messaging_schema_async(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.run_sync(create_messaging_schema)
