"""One contract per port, run against the in-memory fakes and the PostgreSQL adapters (keeps fakes honest)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from canon.inventory import MovementRecorded, PositionChanged
from inventory.adapters.memory import InMemoryUnitOfWork
from inventory.adapters.postgres.unit_of_work import PostgresUnitOfWork
from inventory.application.errors import ConcurrentChangeError
from inventory.application.ports import UnitOfWork
from inventory.bootstrap import MIGRATIONS
from inventory.domain import Drift, Position, PositionKey, Receipt, Reservation, TransferShipped
from inventory.domain.safety_stock import SafetyStockChange
from retail_platform.database import create_engine, run_migrations, session_factory
from retail_testing.plugin import create_database, drop_database
from sqlalchemy import text

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
DC1, ST1 = PositionKey("LAMP", "DC1"), PositionKey("LAMP", "ST1")
Events = Callable[[], Awaitable[list[str]]]


def receipt(key: str, minute: int, node: str = "DC1") -> Receipt:
    return Receipt(
        idempotency_key=key, source_system="wms", occurred_at=T0 + timedelta(minutes=minute),
        sku="LAMP", node=node, qty=1,
    )  # fmt: skip


def reservation(rid: str, expires_in: int, status: str = "open") -> Reservation:
    return Reservation(
        reservation_id=rid, sku="LAMP", node="DC1", qty=2, open_qty=2 if status == "open" else 0,
        expires_at=T0 + timedelta(minutes=expires_in), created_at=T0, status=status,  # type: ignore[arg-type]
    )  # fmt: skip


@pytest.fixture(params=["memory", "postgres"])
async def store(
    request: pytest.FixtureRequest, postgres_server_url: str
) -> AsyncIterator[tuple[UnitOfWork, Events]]:
    if request.param == "memory":
        memory = InMemoryUnitOfWork()

        async def memory_events() -> list[str]:
            return [type(event).__name__ for event in memory.state.outbox]

        yield memory, memory_events
        return
    name = f"t_{uuid.uuid4().hex[:12]}"
    database_url = await create_database(postgres_server_url, name)
    await run_migrations(database_url, MIGRATIONS)
    engine = create_engine(database_url)

    async def table_events() -> list[str]:
        async with engine.connect() as connection:
            rows = await connection.execute(text("select subject from outbox order by seq"))
            return [str(subject) for (subject,) in rows]

    try:
        yield PostgresUnitOfWork(session_factory(engine)), table_events
    finally:
        await engine.dispose()
        await drop_database(postgres_server_url, name)


class TestPortContract:
    async def test_positions_persist_only_on_commit(self, store: Any) -> None:
        uow, _ = store
        async with uow:
            assert await uow.positions.get(DC1) is None
            locked = await uow.positions.get_many([ST1, DC1], for_update=True)
            assert locked == {DC1: Position.empty(DC1), ST1: Position.empty(ST1)}
            await uow.positions.save(Position(sku="LAMP", node="DC1", on_hand=3, as_of=T0))
        async with uow:
            assert await uow.positions.get_many([DC1]) in ({}, {DC1: Position.empty(DC1)})
            await uow.positions.save_many([Position(sku="LAMP", node="DC1", on_hand=5, reserved=2, as_of=T0)])
            await uow.commit()
        async with uow:
            found = await uow.positions.get(DC1)
            assert found == Position(sku="LAMP", node="DC1", on_hand=5, reserved=2, as_of=T0)

    async def test_safety_stock_changes_persist_only_on_commit_oldest_first(self, store: Any) -> None:
        uow, _ = store
        first, second = (
            SafetyStockChange(
                sku="LAMP", node="DC1", previous=previous, safety_stock=value, reason="buffer",
                changed_by="api:planner", changed_at=T0 + timedelta(minutes=previous),
            )
            for previous, value in ((0, 4), (4, 1))
        )  # fmt: skip
        async with uow:
            await uow.safety_stock_changes.add(first)
        async with uow:
            assert await uow.safety_stock_changes.of_position(DC1) == []
            await uow.safety_stock_changes.add(first)
            await uow.safety_stock_changes.add(second)
            await uow.commit()
        async with uow:
            assert await uow.safety_stock_changes.of_position(DC1) == [first, second]
            assert await uow.safety_stock_changes.of_position(ST1) == []

    async def test_movement_log_dedupes_and_keeps_recorded_order(self, store: Any) -> None:
        uow, _ = store
        transfer = TransferShipped(
            idempotency_key="t", source_system="wms", occurred_at=T0, sku="LAMP", node="DC1",
            qty=1, destination_node="ST1", transfer_id="t1",
        )  # fmt: skip
        async with uow:
            assert await uow.movements.append(receipt("k2", 5))
            assert not await uow.movements.append(receipt("k2", 5))
            await uow.movements.append_many([receipt("k1", 1), transfer, receipt("k3", 9, node="ST1")])
            await uow.commit()
        async with uow:
            assert await uow.movements.recorded(["k1", "k9", "t"]) == {"k1", "t"}
            assert [m.idempotency_key for m in await uow.movements.list_for(DC1)] == ["k2", "k1", "t"]
            assert [m.idempotency_key for m in await uow.movements.list_for(ST1)] == ["t", "k3"]
            up_to = await uow.movements.list_for(DC1, up_to=T0 + timedelta(minutes=1))
            assert [m.idempotency_key for m in up_to] == ["k1", "t"]
            assert (await uow.movements.list_for(DC1))[0] == receipt("k2", 5)
            with pytest.raises(ConcurrentChangeError):
                await uow.movements.append_many([receipt("k4", 1), receipt("k1", 1)])

    async def test_reservations_by_id_and_due_in_expiry_order(self, store: Any) -> None:
        uow, _ = store
        async with uow:
            await uow.reservations.save_many([reservation("r2", 10), reservation("r1", 5)])
            await uow.reservations.save(reservation("r3", 1, status="released"))
            await uow.reservations.save(reservation("r4", 20))
            await uow.commit()
        async with uow:
            assert await uow.reservations.get("r1") == reservation("r1", 5)
            assert await uow.reservations.get("nope") is None
            assert set(await uow.reservations.get_many(["r2", "r3", "x"], for_update=True)) == {"r2", "r3"}
            due = await uow.reservations.due(T0 + timedelta(minutes=15), limit=5)
            assert [r.reservation_id for r in due] == ["r1", "r2"]
            assert [r.reservation_id for r in await uow.reservations.due(T0 + timedelta(hours=1), 1)] == [
                "r1"
            ]

    async def test_drifts_once_per_snapshot_line(self, store: Any) -> None:
        uow, _ = store
        drift = Drift(
            sku="LAMP", node="DC1", source="wms", as_of=T0, counted_qty=4, derived_qty=5, quantity=-1,
            value=None, within_tolerance=True, action="auto_adjust",
        )  # fmt: skip
        async with uow:
            assert await uow.drifts.add(drift)
            assert not await uow.drifts.add(drift)
            await uow.commit()
        async with uow:
            assert await uow.drifts.between(T0, T0 + timedelta(seconds=1)) == [drift]
            assert await uow.drifts.between(T0 + timedelta(seconds=1), T0 + timedelta(days=1)) == []

    async def test_outbox_rows_are_written_with_the_commit_in_order(self, store: Any) -> None:
        uow, events = store
        recorded = MovementRecorded(
            idempotency_key="k1", movement_type="receipt", source_system="wms", occurred_at=T0,
            sku="LAMP", node="DC1", qty=1,
        )  # fmt: skip
        changed = PositionChanged(
            sku="LAMP", node="DC1", on_hand=1, reserved=0, allocated=0, in_transit=0, damaged=0,
            safety_stock=0, available_to_sell=1,
        )  # fmt: skip
        async with uow:
            await uow.outbox.add(recorded)
        assert await events() == []
        async with uow:
            await uow.outbox.add(recorded)
            await uow.outbox.add(changed)
            await uow.commit()
        names = await events()
        assert [name.split(".")[-2] if "." in name else name for name in names] in (
            ["MovementRecorded", "PositionChanged"],
            ["movement_recorded", "position_changed"],
        )
