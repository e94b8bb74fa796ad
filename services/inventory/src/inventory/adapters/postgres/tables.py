"""Tables of the inventory service, declared apart from the domain (imperative, SQLAlchemy Core)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Identity,
    Index,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    func,
    text,
)

metadata = MetaData()

QUANTITIES = ("on_hand", "reserved", "allocated", "in_transit", "damaged", "safety_stock")

positions = Table(
    "positions",
    metadata,
    Column("sku", Text, nullable=False),
    Column("node", Text, nullable=False),
    *(Column(name, BigInteger, nullable=False, server_default=text("0")) for name in QUANTITIES),
    Column("as_of", DateTime(timezone=True)),
    Column("count_at_as_of", Boolean, nullable=False, server_default=text("false")),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("sku", "node", name="pk_positions"),
    CheckConstraint(
        " AND ".join(f"{name} >= 0" for name in QUANTITIES) + " AND damaged <= on_hand",
        name="ck_positions_quantities",
    ),
    comment="Current position per (sku, node): the fold of its accepted movements.",
)

movements = Table(
    "movements",
    metadata,
    Column("seq", BigInteger, Identity(always=True), nullable=False),
    Column("idempotency_key", Text, nullable=False),
    Column("movement_type", Text, nullable=False),
    Column("source_system", Text, nullable=False),
    Column("sku", Text, nullable=False),
    Column("node", Text, nullable=False),
    Column("destination_node", Text),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("body", LargeBinary, nullable=False, comment="The movement as msgspec JSON (its wire form)."),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.clock_timestamp()),
    PrimaryKeyConstraint("seq", name="pk_movements"),
    comment="Accepted movements in recorded order (seq): the source of truth positions are folded from.",
)
Index("uq_movements_idempotency_key", movements.c.idempotency_key, unique=True)
Index("ix_movements_position", movements.c.sku, movements.c.node, movements.c.seq)
Index(
    "ix_movements_destination",
    movements.c.sku,
    movements.c.destination_node,
    movements.c.seq,
    postgresql_where=movements.c.destination_node.is_not(None),
)

reservations = Table(
    "reservations",
    metadata,
    Column("reservation_id", Text, nullable=False),
    Column("sku", Text, nullable=False),
    Column("node", Text, nullable=False),
    Column("qty", BigInteger, nullable=False),
    Column("open_qty", BigInteger, nullable=False),
    Column("status", Text, nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("order_id", Text),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("reservation_id", name="pk_reservations"),
    CheckConstraint("qty >= 1 AND open_qty >= 0 AND open_qty <= qty", name="ck_reservations_quantities"),
)
Index("ix_reservations_due", reservations.c.expires_at, postgresql_where=reservations.c.status == "open")
Index("ix_reservations_position", reservations.c.sku, reservations.c.node)

drifts = Table(
    "drifts",
    metadata,
    Column("source", Text, nullable=False),
    Column("sku", Text, nullable=False),
    Column("node", Text, nullable=False),
    Column("as_of", DateTime(timezone=True), nullable=False),
    Column("counted_qty", BigInteger, nullable=False),
    Column("derived_qty", BigInteger, nullable=False),
    Column("quantity", BigInteger, nullable=False),
    Column("value_minor", BigInteger),
    Column("currency", Text),
    Column("within_tolerance", Boolean, nullable=False),
    Column("action", Text, nullable=False),
    Column("reason", Text, nullable=False, server_default=""),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("source", "sku", "node", "as_of", name="pk_drifts"),
    comment="Balancing results: one row per snapshot line.",
)
Index("ix_drifts_as_of", drifts.c.as_of)

item_costs = Table(
    "item_costs",
    metadata,
    Column("sku", Text, nullable=False),
    Column("legal_entity_id", Text, nullable=False),
    Column("effective_from", DateTime(timezone=True), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("currency", Text, nullable=False),
    Column("version", BigInteger, nullable=False),
    PrimaryKeyConstraint("sku", "legal_entity_id", "effective_from", name="pk_item_costs"),
    comment="Item cost history from master data (the replica keeps only the newest per key).",
)

safety_stock_changes = Table(
    "safety_stock_changes",
    metadata,
    Column("seq", BigInteger, Identity(always=True), nullable=False),
    Column("sku", Text, nullable=False),
    Column("node", Text, nullable=False),
    Column("previous", BigInteger, nullable=False),
    Column("safety_stock", BigInteger, nullable=False),
    Column("reason", Text, nullable=False),
    Column("changed_by", Text, nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("seq", name="pk_safety_stock_changes"),
    CheckConstraint("previous >= 0 AND safety_stock >= 0", name="ck_safety_stock_changes_quantities"),
    comment="Audit trail of safety stock settings: who changed which position, when, why.",
)
Index("ix_safety_stock_changes_position", safety_stock_changes.c.sku, safety_stock_changes.c.node)
