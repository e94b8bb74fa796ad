"""Concurrent batches touching the same records on the real database: no lost version, no duplicate."""

from __future__ import annotations

import asyncio

from master_data.adapters.postgres.unit_of_work import PostgresUnitOfWork
from master_data.application.use_cases.bulk_upsert import BulkUpsert
from master_data.bootstrap import MIGRATIONS
from retail_platform.database import create_engine, run_migrations, session_factory
from sqlalchemy import text


async def test_concurrent_creates_and_updates_of_one_key_serialise(database_url: str) -> None:
    await run_migrations(database_url, MIGRATIONS)
    engine = create_engine(database_url)
    sessions = session_factory(engine)
    upsert = BulkUpsert(lambda: PostgresUnitOfWork(sessions))
    try:
        names = [f"Lamp {n}" for n in range(8)]
        results = await asyncio.gather(
            *(
                upsert(
                    "item",
                    [(1, {"sku": "LAMP-1", "name": name, "category_id": "L", "tax_class": "standard"})],
                    source="test",
                )
                for name in names
            )
        )
        versions = sorted(result.outcomes[0].version or 0 for result in results)
        assert versions == list(range(1, 9))
        async with engine.connect() as connection:
            history = (await connection.execute(text("select count(*) from master_record_versions"))).scalar()
            events = (await connection.execute(text("select count(*) from outbox"))).scalar()
            current = (await connection.execute(text("select version from master_records"))).scalar()
        assert (history, events, current) == (8, 8, 8)
    finally:
        await engine.dispose()
