"""Flash sale on the real PostgreSQL: 200 concurrent reservations of 1 unit against 100 available.

Exactly 100 succeed, available to sell ends at 0 and is never seen below 0, whether each reservation
is its own transaction (row lock per call) or concurrent callers are grouped by the batcher.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from canon.errors import ValidationError
from inventory.adapters.memory import FixedClock
from inventory.adapters.postgres.unit_of_work import PostgresUnitOfWork
from inventory.adapters.reservation_batcher import ReservationBatcher
from inventory.application.use_cases.record_movements import RecordMovements
from inventory.application.use_cases.reserve_stock import ReserveStock, ReserveStockCmd
from inventory.application.use_cases.reserve_stock_batch import ReserveStockBatch
from inventory.bootstrap import MIGRATIONS
from inventory.domain import InsufficientStock, PositionKey, Receipt, replay
from retail_platform.database import create_engine, run_migrations, session_factory
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

pytestmark = pytest.mark.integration
NOW = datetime.now(UTC).replace(microsecond=0)
HOT = PositionKey("HOT-1", "DC1")


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    await run_migrations(database_url, MIGRATIONS)
    engine = create_engine(database_url, pool_size=20, max_overflow=0, pool_timeout=60)
    receipt = Receipt(
        idempotency_key="stock", source_system="wms", occurred_at=NOW - timedelta(hours=1),
        sku=HOT.sku, node=HOT.node, qty=100,
    )  # fmt: skip
    outcome = await RecordMovements(PostgresUnitOfWork(session_factory(engine)))([receipt])
    assert outcome.count("accepted") == 1
    yield engine
    await engine.dispose()


def cmd(n: int) -> ReserveStockCmd:
    return ReserveStockCmd(
        reservation_id=f"r{n:03}", sku=HOT.sku, node=HOT.node, qty=1, ttl=timedelta(minutes=5)
    )


async def net_available(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        row = (
            await connection.execute(
                text("select on_hand - reserved - allocated - damaged - safety_stock from positions")
            )
        ).one()
    return int(row[0])


async def watch(engine: AsyncEngine, seen: list[int], stop: asyncio.Event) -> None:
    while not stop.is_set():
        seen.append(await net_available(engine))
        await asyncio.sleep(0.005)


async def assert_sold_out(engine: AsyncEngine, seen: list[int]) -> None:
    assert await net_available(engine) == 0
    assert min(seen) >= 0
    async with engine.connect() as connection:
        open_count = (
            await connection.execute(text("select count(*) from reservations where status = 'open'"))
        ).scalar()
        reserved = (await connection.execute(text("select reserved from positions"))).scalar()
    assert (open_count, reserved) == (100, 100)
    uow = PostgresUnitOfWork(session_factory(engine))
    async with uow:
        log = await uow.movements.list_for(HOT)
        live = await uow.positions.get(HOT)
    assert replay(HOT, log).position == live  # the log agrees with the live position


async def fire(engine: AsyncEngine, reserve: object) -> list[object]:
    seen: list[int] = []
    stop = asyncio.Event()
    watcher = asyncio.create_task(watch(engine, seen, stop))
    results = await asyncio.gather(*(reserve(cmd(n)) for n in range(200)), return_exceptions=True)  # type: ignore[operator]
    stop.set()
    await watcher
    await assert_sold_out(engine, seen)
    return results


async def test_one_transaction_per_reservation_never_oversells(engine: AsyncEngine) -> None:
    reserve = ReserveStock(PostgresUnitOfWork(session_factory(engine)), FixedClock(NOW))
    results = await fire(engine, reserve)
    refused = [r for r in results if isinstance(r, InsufficientStock)]
    others = [r for r in results if isinstance(r, BaseException) and not isinstance(r, InsufficientStock)]
    assert others == []
    assert (len(results) - len(refused), len(refused)) == (100, 100)


async def test_batched_reservations_never_oversell(engine: AsyncEngine) -> None:
    batcher = ReservationBatcher(
        ReserveStockBatch(PostgresUnitOfWork(session_factory(engine)), FixedClock(NOW))
    )
    stop = asyncio.Event()
    workers = [asyncio.create_task(batcher.run(stop)) for _ in range(3)]
    try:
        outcomes = await fire(engine, batcher.reserve)
    finally:
        stop.set()
        for worker in workers:
            with contextlib.suppress(asyncio.CancelledError):
                await worker
    reserved = [o for o in outcomes if getattr(o, "reservation", None) is not None]
    refused = [o for o in outcomes if isinstance(getattr(o, "error", None), InsufficientStock)]
    assert (len(reserved), len(refused)) == (100, 100)
    assert all(not isinstance(o, BaseException | ValidationError) for o in outcomes)
    assert len({o.reservation.reservation_id for o in reserved}) == 100  # type: ignore[attr-defined]
