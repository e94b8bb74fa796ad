"""Migration stairway, and the database refusing to change a stored version's content."""

from __future__ import annotations

import asyncpg
import pytest
from promotion.bootstrap import MIGRATIONS
from retail_platform.database import downgrade_migrations, run_migrations
from retail_platform.dburl import libpq_url

pytestmark = pytest.mark.integration


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
        "promotions",
        "promotion_versions",
        "promotion_audit",
        "coupon_codes",
        "coupon_usage",
        "coupon_redemptions",
        "deployments",
        "outbox",
        "inbox",
        "api_keys",
        "idempotency_keys",
        "master_replica",
    } == created
    await downgrade_migrations(database_url, MIGRATIONS, "base")
    assert await tables(database_url) == set()
    await run_migrations(database_url, MIGRATIONS)
    assert await tables(database_url) == created


async def test_a_stored_version_content_cannot_change(database_url: str) -> None:
    await run_migrations(database_url, MIGRATIONS)
    connection = await asyncpg.connect(libpq_url(database_url))
    try:
        await connection.execute(
            "insert into promotion_versions"
            " (promotion_id, version, content, status, author, opens_at, closes_at)"
            " values ('P', 1, '{\"name\": \"a\"}', 'draft', 'alice', now(), now())"
        )
        await connection.execute("update promotion_versions set status = 'submitted'")  # status moves
        with pytest.raises(asyncpg.RaiseError, match="immutable"):
            await connection.execute('update promotion_versions set content = \'{"name": "b"}\'')
    finally:
        await connection.close()
