"""Tables of the order ledger, declared apart from the domain."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Identity,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSON, JSONB

metadata = MetaData()

sales_transactions = Table(
    "sales_transactions",
    metadata,
    Column("source_system", Text, nullable=False),
    Column("document_id", Text, nullable=False),
    Column("revision", Integer, nullable=False),
    Column("order_id", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("legal_entity_id", Text, nullable=False),
    Column("channel_id", Text, nullable=False),
    Column("node_id", Text, nullable=False),
    Column("currency", Text, nullable=False),
    Column("business_date", Date, nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("original_document_id", Text),
    Column("entry_id", Text),
    Column("flags", JSONB, nullable=False),
    Column("received_via", Text, nullable=False),
    Column("superseded", Boolean, nullable=False, server_default=text("false")),
    Column("payload", JSON, nullable=False),  # its text (revision 0004), read back whole
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.clock_timestamp()),
    PrimaryKeyConstraint("source_system", "document_id", "revision"),
    comment="Sales transactions as the ledger priced and recorded them (one row per document revision).",
)
Index("ix_sales_transactions_order", sales_transactions.c.order_id)
Index("ix_sales_transactions_document", sales_transactions.c.document_id)
Index("ix_sales_transactions_original", sales_transactions.c.original_document_id)

journal_entries = Table(
    "journal_entries",
    metadata,
    Column("entry_id", Text, primary_key=True),
    Column("legal_entity_id", Text, nullable=False),
    Column("currency", Text, nullable=False),
    Column("business_date", Date, nullable=False),
    Column("period_id", Text, nullable=False),
    Column("posted_at", DateTime(timezone=True), nullable=False),
    Column("source_system", Text, nullable=False),
    Column("document_id", Text, nullable=False),
    Column("revision", Integer, nullable=False),
    Column("order_id", Text),
    Column("transaction_kind", Text, nullable=False),
    Column("channel_id", Text),
    Column("node_id", Text),
    Column("late", Boolean, nullable=False),
    Column("flags", JSONB, nullable=False),
    Column("reverses_entry_id", Text),
    Column("original_document_id", Text),
    Column("export_batch_id", Text),
    Column("committed_at", DateTime(timezone=True), nullable=False, server_default=func.clock_timestamp()),
    comment="Balanced journal entries (one currency each); lines in journal_lines.",
)
Index("ix_journal_entries_order", journal_entries.c.order_id)
Index(
    "ix_journal_entries_unexported",
    journal_entries.c.posted_at,
    postgresql_where=journal_entries.c.export_batch_id.is_(None),
)

journal_lines = Table(
    "journal_lines",
    metadata,
    Column("entry_id", Text, nullable=False),
    Column("line_no", Integer, nullable=False),
    Column("account", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("side", Text, nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("currency", Text, nullable=False),
    Column("dimensions", JSONB, nullable=False),
    Column("tender_kind", Text),
    Column("processor", Text),
    Column("processor_reference", Text),
    Column("jurisdiction", Text),
    Column("memo", Text),
    PrimaryKeyConstraint("entry_id", "line_no"),
)
Index("ix_journal_lines_processor_reference", journal_lines.c.processor_reference)

rejected_transactions = Table(
    "rejected_transactions",
    metadata,
    Column("id", BigInteger, Identity(always=True), primary_key=True),
    Column("source_system", Text),
    Column("document_id", Text),
    Column("revision", Integer),
    Column("received_via", Text, nullable=False),
    Column("errors", JSONB, nullable=False),
    Column("rejected_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

posting_rules = Table(
    "posting_rules",
    metadata,
    Column("chart_id", Text, primary_key=True),
    Column("content", JSONB, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

promotion_versions = Table(
    "promotion_versions",
    metadata,
    Column("promotion_id", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("terms", JSONB, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("promotion_id", "version"),
)

export_batches = Table(
    "export_batches",
    metadata,
    Column("batch_id", Text, primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("entry_count", Integer, nullable=False),
    Column("json_document", LargeBinary, nullable=False),
    Column("csv_document", LargeBinary, nullable=False),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("last_sent_at", DateTime(timezone=True)),
    Column("last_error", Text),
    Column("acknowledged_at", DateTime(timezone=True)),
    Column("erp_reference", Text),
    Column("ack_message", Text),
)

shipment_costs = Table(
    "shipment_costs",
    metadata,
    Column("movement_id", Text, primary_key=True),
    Column("order_id", Text, nullable=False),
    Column("sku", Text, nullable=False),
    Column("legal_entity_id", Text, nullable=False),
    Column("qty", Integer, nullable=False),
    Column("unit_cost_minor", BigInteger, nullable=False),
    Column("currency", Text, nullable=False),
    comment="Unit cost each shipment's COGS was posted at (revision 0002).",
)
Index("ix_shipment_costs_order_sku", shipment_costs.c.order_id, shipment_costs.c.sku)
