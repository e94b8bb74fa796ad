"""Shipment costs: the unit cost each shipment's COGS was posted at, per order and sku, so a return
disposition reverses COGS at the cost of the original sale.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from alembic import op
from sqlalchemy import BigInteger, Column, Integer, Text

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "shipment_costs",
        Column("movement_id", Text, primary_key=True),
        Column("order_id", Text, nullable=False),
        Column("sku", Text, nullable=False),
        Column("legal_entity_id", Text, nullable=False),
        Column("qty", Integer, nullable=False),
        Column("unit_cost_minor", BigInteger, nullable=False),
        Column("currency", Text, nullable=False),
        comment="Unit cost each shipment's COGS was posted at (revision 0002).",
    )
    op.create_index("ix_shipment_costs_order_sku", "shipment_costs", ["order_id", "sku"])


def downgrade() -> None:
    op.drop_index("ix_shipment_costs_order_sku", table_name="shipment_costs")
    op.drop_table("shipment_costs")
