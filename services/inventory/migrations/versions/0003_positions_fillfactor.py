"""Positions at fillfactor 50: every update of a position can be HOT (heap-only, no new index entry).

A new position is inserted empty and updated in the same transaction (positions adapter: the row is
created to be locked), so its page needs room for two versions of it; later updates need room for
one more, the old ones being pruned when the page is next read. At the default fillfactor (100) most
updates left the page: on the inventory bench 5-10 % of 101,000 updates were HOT, the primary key held
a dead entry per live one, and GetAvailability for 50 skus x 20 nodes visited 560 heap pages. At 50,
every update was HOT, the dead versions were pruned without VACUUM (13,500 dead against 99,000 at 100)
and the same read visited 238 pages; the table kept the same size (2,702 pages against 2,697), since
the versions that left the page took the room instead. At 80, 38 % were HOT (321 pages visited).

Only pages filled from now on honour it: an existing database needs a rewrite (``VACUUM FULL
positions`` or pg_repack) to spread its rows out.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE positions SET (fillfactor = 50)")


def downgrade() -> None:
    op.execute("ALTER TABLE positions RESET (fillfactor)")
