"""Open settlement items: a run reads the new files and what is still open, not every line ever taken.

A run used to read every settlement line its legal entity ever had and drop the matched ones, so
its cost grew with the history (a second 1M-line file over 1M matched lines took the reference
match 9.7 s instead of 7.5 s). Now each run keeps the settlement groups (processor, direction,
reference) it left unmatched in `recon_open_settlement`, and the next run reads the lines of the
files it takes plus the lines of those groups. A line of a file taken earlier was read by the run
that took the file, so it was matched then or belongs to an open group.

`recon_match_state` says that an entity's open groups are kept: an entity without a row (before its
first run under this revision) is read whole, as before, and gets one.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TABLES = [
    """CREATE TABLE recon_open_settlement (
        legal_entity_id text NOT NULL, processor text COLLATE "C" NOT NULL, direction smallint NOT NULL,
        reference text COLLATE "C" NOT NULL,
        PRIMARY KEY (legal_entity_id, reference, processor, direction))""",
    "CREATE TABLE recon_match_state (legal_entity_id text PRIMARY KEY, run_id text NOT NULL)",
]


def upgrade() -> None:
    for statement in TABLES:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TABLE recon_match_state, recon_open_settlement")
