"""The replica table, created by each consuming service's own migration."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Connection, DateTime, MetaData, PrimaryKeyConstraint, Table, Text
from sqlalchemy.dialects.postgresql import JSONB

REPLICA_METADATA = MetaData()

master_replica = Table(
    "master_replica",
    REPLICA_METADATA,
    Column("record_type", Text, nullable=False),
    Column("key", Text, nullable=False),
    Column("version", BigInteger, nullable=False),
    Column("content", JSONB, nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("record_type", "key"),
)


def create_replica_schema(connection: Connection) -> None:
    REPLICA_METADATA.create_all(connection)
