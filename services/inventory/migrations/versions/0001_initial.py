"""Positions, the movement log, reservations, drifts, item cost history; the outbox/inbox, the master
replica and the platform's API keys and idempotency keys.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op
from master_replica import REPLICA_METADATA, create_replica_schema
from messaging.schema import MESSAGING_METADATA, create_messaging_schema
from retail_platform.tables import create_platform_schema, drop_platform_schema

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

QUANTITIES = ("on_hand", "reserved", "allocated", "in_transit", "damaged", "safety_stock")
TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "positions",
        sa.Column("sku", sa.Text, nullable=False),
        sa.Column("node", sa.Text, nullable=False),
        *(sa.Column(name, sa.BigInteger, nullable=False, server_default=sa.text("0")) for name in QUANTITIES),
        sa.Column("as_of", TZ),
        sa.Column("count_at_as_of", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("updated_at", TZ, nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("sku", "node", name="pk_positions"),
        sa.CheckConstraint(
            " AND ".join(f"{name} >= 0" for name in QUANTITIES) + " AND damaged <= on_hand",
            name="ck_positions_quantities",
        ),
    )
    op.create_table(
        "movements",
        sa.Column("seq", sa.BigInteger, sa.Identity(always=True), nullable=False),
        sa.Column("idempotency_key", sa.Text, nullable=False),
        sa.Column("movement_type", sa.Text, nullable=False),
        sa.Column("source_system", sa.Text, nullable=False),
        sa.Column("sku", sa.Text, nullable=False),
        sa.Column("node", sa.Text, nullable=False),
        sa.Column("destination_node", sa.Text),
        sa.Column("occurred_at", TZ, nullable=False),
        sa.Column("body", sa.LargeBinary, nullable=False),
        sa.Column("recorded_at", TZ, nullable=False, server_default=sa.func.clock_timestamp()),
        sa.PrimaryKeyConstraint("seq", name="pk_movements"),
    )
    op.create_index("uq_movements_idempotency_key", "movements", ["idempotency_key"], unique=True)
    op.create_index("ix_movements_position", "movements", ["sku", "node", "seq"])
    op.create_index(
        "ix_movements_destination",
        "movements",
        ["sku", "destination_node", "seq"],
        postgresql_where=sa.text("destination_node IS NOT NULL"),
    )
    op.create_table(
        "reservations",
        sa.Column("reservation_id", sa.Text, nullable=False),
        sa.Column("sku", sa.Text, nullable=False),
        sa.Column("node", sa.Text, nullable=False),
        sa.Column("qty", sa.BigInteger, nullable=False),
        sa.Column("open_qty", sa.BigInteger, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("order_id", sa.Text),
        sa.Column("updated_at", TZ, nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("reservation_id", name="pk_reservations"),
        sa.CheckConstraint(
            "qty >= 1 AND open_qty >= 0 AND open_qty <= qty", name="ck_reservations_quantities"
        ),
    )
    op.create_index(
        "ix_reservations_due", "reservations", ["expires_at"], postgresql_where=sa.text("status = 'open'")
    )
    op.create_index("ix_reservations_position", "reservations", ["sku", "node"])
    op.create_table(
        "drifts",
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("sku", sa.Text, nullable=False),
        sa.Column("node", sa.Text, nullable=False),
        sa.Column("as_of", TZ, nullable=False),
        sa.Column("counted_qty", sa.BigInteger, nullable=False),
        sa.Column("derived_qty", sa.BigInteger, nullable=False),
        sa.Column("quantity", sa.BigInteger, nullable=False),
        sa.Column("value_minor", sa.BigInteger),
        sa.Column("currency", sa.Text),
        sa.Column("within_tolerance", sa.Boolean, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False, server_default=""),
        sa.Column("recorded_at", TZ, nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("source", "sku", "node", "as_of", name="pk_drifts"),
    )
    op.create_index("ix_drifts_as_of", "drifts", ["as_of"])
    op.create_table(
        "item_costs",
        sa.Column("sku", sa.Text, nullable=False),
        sa.Column("legal_entity_id", sa.Text, nullable=False),
        sa.Column("effective_from", TZ, nullable=False),
        sa.Column("amount_minor", sa.BigInteger, nullable=False),
        sa.Column("currency", sa.Text, nullable=False),
        sa.Column("version", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("sku", "legal_entity_id", "effective_from", name="pk_item_costs"),
    )
    bind = op.get_bind()
    create_messaging_schema(bind)
    create_replica_schema(bind)
    create_platform_schema(bind)


def downgrade() -> None:
    bind = op.get_bind()
    drop_platform_schema(bind)
    REPLICA_METADATA.drop_all(bind)
    MESSAGING_METADATA.drop_all(bind)
    for table in ("item_costs", "drifts", "reservations", "movements", "positions"):
        op.drop_table(table)
