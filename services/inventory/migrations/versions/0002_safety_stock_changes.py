"""Safety stock changes: the audit trail of the safety stock setter (who, when, why, from what to what).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "safety_stock_changes",
        sa.Column("seq", sa.BigInteger, sa.Identity(always=True), nullable=False),
        sa.Column("sku", sa.Text, nullable=False),
        sa.Column("node", sa.Text, nullable=False),
        sa.Column("previous", sa.BigInteger, nullable=False),
        sa.Column("safety_stock", sa.BigInteger, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("changed_by", sa.Text, nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_safety_stock_changes"),
        sa.CheckConstraint("previous >= 0 AND safety_stock >= 0", name="ck_safety_stock_changes_quantities"),
        comment="Audit trail of safety stock settings: who changed which position, when, why.",
    )
    op.create_index("ix_safety_stock_changes_position", "safety_stock_changes", ["sku", "node"])


def downgrade() -> None:
    op.drop_index("ix_safety_stock_changes_position", table_name="safety_stock_changes")
    op.drop_table("safety_stock_changes")
