"""Processor references compared byte by byte (COLLATE "C").

A processor reference (Adyen's PSP reference, a Stripe charge id, an Amazon order id) is an opaque
identifier: it has no language, and the only question asked of it is whether two are the same. In
the database's linguistic collation every comparison is a strcoll call, which is what a run spends
most of its time on: building and probing the reference indexes of a million settlement lines and
matches, sorting and grouping both sides by reference. Bytewise, the same comparisons are memcmp
calls and sort on abbreviated keys. Equality is unchanged (both collations are deterministic), so no
match changes; only the order in which references sort is byte order.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

COLUMNS = {
    "settlement_lines": ["processor", "processor_reference"],
    "tender_lines": ["processor", "processor_reference"],
    "settlement_matches": ["processor", "settlement_reference", "ledger_reference"],
}


def _alter(collation: str) -> None:
    for table, columns in COLUMNS.items():
        changes = ", ".join(f'ALTER COLUMN {column} TYPE text COLLATE "{collation}"' for column in columns)
        op.execute(f"ALTER TABLE {table} {changes}")


def upgrade() -> None:
    _alter("C")


def downgrade() -> None:
    _alter("default")
