"""Migration stairway: every revision goes up, down and up again on a real database."""

from __future__ import annotations

import asyncpg
from inventory.bootstrap import MIGRATIONS
from retail_platform.database import downgrade_migrations, run_migrations
from retail_platform.dburl import libpq_url


async def tables(database_url: str) -> set[str]:
    connection = await asyncpg.connect(libpq_url(database_url))
    try:
        rows = await connection.fetch("select tablename from pg_tables where schemaname = 'public'")
    finally:
        await connection.close()
    return {row["tablename"] for row in rows} - {"alembic_version"}


async def test_upgrade_downgrade_upgrade(database_url: str) -> None:
    await run_migrations(database_url, MIGRATIONS)
    created = await tables(database_url)
    assert {
        "positions", "movements", "reservations", "drifts", "item_costs", "outbox", "inbox",
        "master_replica", "api_keys", "idempotency_keys",
    } <= created  # fmt: skip
    await downgrade_migrations(database_url, MIGRATIONS, "base")
    assert await tables(database_url) == set()
    await run_migrations(database_url, MIGRATIONS)
    assert await tables(database_url) == created
