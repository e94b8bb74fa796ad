"""The tables the service reads and writes through SQLAlchemy Core (the rest is SQL in the engine).

The schema itself is created by migrations/versions/0001_initial.py.
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Integer, MetaData, PrimaryKeyConstraint, Table, Text
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData()

recon_exceptions = Table(
    "recon_exceptions",
    metadata,
    Column("exception_id", Text, primary_key=True),
    Column("status", Text, nullable=False),
    Column("owner", Text),
    Column("reason_code", Text),
    Column("proposed_by", Text),
    Column("adjusting_entry", JSONB),
    Column("approved_by", Text),
    Column("resolved_at", DateTime(timezone=True)),
    Column("resolved_by", Text),
    Column("step", Integer, nullable=False),
)

recon_exception_audit = Table(
    "recon_exception_audit",
    metadata,
    Column("exception_id", Text, nullable=False),
    Column("step", Integer, nullable=False),
    Column("action", Text, nullable=False),
    Column("from_status", Text),
    Column("to_status", Text, nullable=False),
    Column("actor", Text, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("details", JSONB, nullable=False),
    PrimaryKeyConstraint("exception_id", "step"),
)
