"""How positions are stored: the first write of a new position (created empty to be locked, then
updated in the same transaction) is a HOT update (heap-only, no new index entry). At the default
fillfactor none of them was (migration 0003); an index on a quantity column would undo it too.

Later updates are HOT once the page's dead versions are pruned, which waits for every older snapshot
on the server: not asserted here, where other databases' sessions may hold one."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import msgspec
import pytest
from inventory.adapters.postgres.positions import PostgresPositions
from inventory.bootstrap import MIGRATIONS
from inventory.domain.position import PositionKey
from retail_platform.database import create_engine, run_migrations, session_factory
from retail_testing.plugin import create_database, drop_database
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

pytestmark = pytest.mark.integration

T0 = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)
# More new positions than one page holds at the default fillfactor with two versions of each.
KEYS = [PositionKey(f"SKU-{sku:03}", f"N{node:02}") for sku in range(30) for node in range(20)]
_UPDATES = "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables WHERE relname = 'positions'"


@pytest.fixture
async def sessions(postgres_server_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    name = f"t_{uuid.uuid4().hex[:12]}"
    url = await create_database(postgres_server_url, name)
    await run_migrations(url, MIGRATIONS)
    engine = create_engine(url)
    yield session_factory(engine)
    await engine.dispose()
    await drop_database(postgres_server_url, name)


async def write_all(sessions: async_sessionmaker[AsyncSession], on_hand: int) -> tuple[int, int]:
    """Lock (creating what is missing) and save every position in one transaction, as a batch of
    movements does: (updates, HOT updates) in that transaction (the backend's pending counts, which
    may include earlier transactions' until they are flushed, so read before and after)."""
    async with sessions() as session, session.begin():
        before = (await session.execute(text(_UPDATES))).one()
        positions = PostgresPositions(session)
        found = await positions.get_many(KEYS, for_update=True)
        await positions.save_many(
            msgspec.structs.replace(position, on_hand=on_hand, as_of=T0) for position in found.values()
        )
        after = (await session.execute(text(_UPDATES))).one()
    return after.n_tup_upd - before.n_tup_upd, after.n_tup_hot_upd - before.n_tup_hot_upd


async def test_new_positions_are_updated_in_place(sessions: async_sessionmaker[AsyncSession]) -> None:
    assert await write_all(sessions, on_hand=5) == (len(KEYS), len(KEYS))
    async with sessions() as session:
        options = (
            await session.execute(text("SELECT reloptions FROM pg_class WHERE relname = 'positions'"))
        ).scalar_one()
    assert "fillfactor=50" in options
