"""Tables of the master data service, declared apart from the domain."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, MetaData, PrimaryKeyConstraint, Table, Text
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData()


def _version_columns() -> list[Column[object]]:
    """What the current record and each kept version share."""
    return [
        Column("record_type", Text, nullable=False),
        Column("key", Text, nullable=False),
        Column("version", BigInteger, nullable=False),
        Column("content", JSONB, nullable=False),
        Column("content_hash", Text, nullable=False),
        Column("changed_at", DateTime(timezone=True), nullable=False),
    ]


master_records = Table(
    "master_records", metadata, *_version_columns(), PrimaryKeyConstraint("record_type", "key")
)

master_record_versions = Table(
    "master_record_versions",
    metadata,
    *_version_columns(),
    Column("source", Text, nullable=False),
    Column("correlation_id", Text),
    PrimaryKeyConstraint("record_type", "key", "version"),
)
