"""The hot availability read against PostgreSQL: the grid it builds, the same through the read pool and
the engine and once the plan cache may have switched to a generic plan, and the plan's index condition."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import asyncpg
import pytest
from inventory.adapters.postgres.queries import _AVAILABILITY_SQL, InventoryQueries, keep_session
from inventory.bootstrap import MIGRATIONS
from retail_platform.database import create_engine, run_migrations
from retail_platform.dburl import libpq_url
from retail_testing.plugin import create_database, drop_database

pytestmark = pytest.mark.integration

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
# sku, node, on_hand, reserved, allocated, damaged, safety_stock, in_transit
HELD = [
    ("LAMP", "DC1", 10, 3, 1, 1, 2, 0),
    ("LAMP", "ST1", 2, 0, 0, 0, 5, 4),  # safety stock above what is left: available 0, never below
    ("DESK", "ST1", 7, 7, 0, 0, 0, 1),
    ("DESK", "DC9", 9, 0, 0, 0, 0, 0),  # a node not asked for
    ("SOFA", "DC1", 5, 0, 0, 0, 0, 0),  # a sku not asked for
]


@pytest.fixture
async def positions_db(postgres_server_url: str) -> AsyncIterator[str]:
    name = f"t_{uuid.uuid4().hex[:12]}"
    url = await create_database(postgres_server_url, name)
    await run_migrations(url, MIGRATIONS)
    connection = await asyncpg.connect(libpq_url(url))
    try:
        await connection.executemany(
            "INSERT INTO positions (sku, node, on_hand, reserved, allocated, damaged, safety_stock, "
            "in_transit, as_of) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            [(*row, T0) for row in HELD],
        )
    finally:
        await connection.close()
    yield url
    await drop_database(postgres_server_url, name)


async def test_the_grid_is_row_major_with_zeros_where_nothing_is_held(positions_db: str) -> None:
    engine = create_engine(positions_db)
    pool = await asyncpg.create_pool(libpq_url(positions_db), min_size=1, max_size=1, reset=keep_session)
    try:
        skus, nodes = ["DESK", "LAMP", "NONE"], ["ST1", "DC1"]
        # More than five executions on the one pooled connection: PostgreSQL then plans generically.
        through_pool = [await InventoryQueries(engine, pool).availability(skus, nodes) for _ in range(8)]
        through_engine = await InventoryQueries(engine).availability(skus, nodes)
    finally:
        await pool.close()
        await engine.dispose()
    grid = through_pool[-1]
    assert grid.available == [0, 0, 0, 3, 0, 0]
    assert grid.on_hand == [7, 0, 2, 10, 0, 0]
    assert grid.reserved == [7, 0, 0, 3, 0, 0]
    assert grid.in_transit == [1, 0, 4, 0, 0, 0]
    assert all(answer == grid for answer in through_pool)
    assert through_engine == grid


async def test_the_plan_descends_the_index_by_sku_only(positions_db: str) -> None:
    """One index descent per sku, the nodes filtered: not one per (sku, node) pair (without the
    fence in the statement, this small table gets both arrays into its index condition)."""
    connection = await asyncpg.connect(libpq_url(positions_db))
    try:
        explain = await connection.prepare(f"EXPLAIN {_AVAILABILITY_SQL}")
        plan = "\n".join(row[0] for row in await explain.fetch(["LAMP", "DESK"], ["DC1", "ST1"]))
    finally:
        await connection.close()
    conditions = [line for line in plan.splitlines() if "Index Cond" in line or "Recheck Cond" in line]
    assert not any("node" in line for line in conditions), plan
