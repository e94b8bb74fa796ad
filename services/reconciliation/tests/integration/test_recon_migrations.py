"""Migration stairway: every revision goes up, down and up again on a real database."""

from __future__ import annotations

import asyncpg
from reconciliation.bootstrap import MIGRATIONS
from retail_platform.database import downgrade_migrations, run_migrations
from retail_platform.dburl import libpq_url


async def schema(database_url: str) -> tuple[set[str], set[str]]:
    connection = await asyncpg.connect(libpq_url(database_url))
    try:
        tables = await connection.fetch("select tablename from pg_tables where schemaname = 'public'")
        functions = await connection.fetch(
            "select proname from pg_proc p join pg_namespace n on n.oid = p.pronamespace"
            " where nspname = 'public'"
        )
    finally:
        await connection.close()
    return {row["tablename"] for row in tables} - {"alembic_version"}, {row["proname"] for row in functions}


async def test_upgrade_downgrade_upgrade(database_url: str) -> None:
    await run_migrations(database_url, MIGRATIONS)
    created = await schema(database_url)
    expected = {
        "settlement_lines",
        "bank_lines",
        "tender_lines",
        "recon_exceptions",
        "outbox",
        "master_replica",
    }
    assert expected <= created[0]
    assert "recon_period_of" in created[1]
    await downgrade_migrations(database_url, MIGRATIONS, "base")
    assert await schema(database_url) == (set(), set())
    await run_migrations(database_url, MIGRATIONS)
    assert await schema(database_url) == created
