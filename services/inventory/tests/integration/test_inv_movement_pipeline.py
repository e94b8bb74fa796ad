"""The NATS movement consumer keeps two batches in flight and still applies them in stream order, on
real PostgreSQL and NATS: a receipt whose batch is slow to take its locks is applied before the
shipment in the batch behind it, which needs that receipt's units; and a batch behind one that
rolls back is not committed ahead of it."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import msgspec
import pytest
from canon.envelope import Envelope
from canon.ids import deterministic_id
from canon.inventory import MOVEMENT_SUBMITTED
from inventory.adapters.nats.movement_consumer import MOVEMENTS_SPEC, MovementConsumer
from inventory.adapters.postgres.master_read_model import MasterReadModel
from inventory.adapters.postgres.positions import PostgresPositions
from inventory.adapters.postgres.unit_of_work import PostgresUnitOfWork
from inventory.application.use_cases.record_movements import RecordMovements
from inventory.bootstrap import MIGRATIONS
from messaging.dlq import DeadLetters
from messaging.provision import provision
from messaging.topology import Topology
from nats.aio.client import Client as NatsClient
from retail_platform.database import create_engine, run_migrations, session_factory
from sqlalchemy import text

pytestmark = pytest.mark.integration
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@pytest.fixture
async def consumer(
    database_url: str, nats_client: NatsClient, nats_namespace: str
) -> AsyncIterator[tuple[MovementConsumer, Any, Topology]]:
    await run_migrations(database_url, MIGRATIONS)
    engine = create_engine(database_url)
    async with engine.begin() as connection:
        for record_type, key, content in (
            ("node", "DC1", {"node_id": "DC1", "name": "DC", "kind": "dc", "region": "EU",
                             "legal_entity_id": "LE", "timezone": "UTC", "serves_channels": []}),
            ("item", "LAMP", {"sku": "LAMP", "name": "Lamp", "category_id": "HOME"}),
        ):  # fmt: skip
            await connection.execute(
                text("INSERT INTO master_replica (record_type, key, version, content, changed_at) "
                     "VALUES (:t, :k, 1, CAST(:c AS jsonb), :at)"),
                {"t": record_type, "k": key, "c": json.dumps(content), "at": T0},
            )  # fmt: skip
    topology = Topology(nats_namespace)
    js = nats_client.jetstream()
    await provision(js, topology)
    sessions = session_factory(engine)
    uow, read_model = PostgresUnitOfWork(sessions), MasterReadModel(sessions)
    # One movement a batch; a shipment refused for want of stock is dead-lettered at once instead of
    # retried, so a batch applied out of order shows as a movement never recorded.
    spec = dataclasses.replace(MOVEMENTS_SPEC, batch_size=1, max_deliver=1, backoff_s=(0.2, 0.2, 0.2, 0.2))
    movements = MovementConsumer(
        js, topology, uow, RecordMovements(uow, read_model, read_model), read_model,
        DeadLetters(js, topology), spec,
    )  # fmt: skip
    await movements.bind()
    try:
        yield movements, engine, topology
    finally:
        await engine.dispose()


async def publish(nc: NatsClient, topology: Topology, *records: dict[str, Any]) -> None:
    for record in records:
        envelope = Envelope(
            id=deterministic_id("test", record["idempotency_key"]), type=MOVEMENT_SUBMITTED.type,
            source="wms", time=T0, subject=record["sku"],
        )  # fmt: skip
        await nc.jetstream().publish(
            topology.subject(MOVEMENT_SUBMITTED.subject), msgspec.json.encode(record),
            headers=envelope.to_headers(),
        )  # fmt: skip


def movement(kind: str, key: str, minute: int, qty: int) -> dict[str, Any]:
    extra = {"order_id": f"o-{key}"} if kind == "ship" else {}
    return {"type": kind, "idempotency_key": key, "source_system": "wms", "sku": "LAMP", "node": "DC1",
            "occurred_at": f"2026-01-05T09:{minute:02}:00Z", "qty": qty, **extra}  # fmt: skip


async def run_until(consumer: MovementConsumer, engine: Any, recorded: int) -> list[str]:
    stop = asyncio.Event()
    running = asyncio.create_task(consumer.run(stop, poll_s=0.2))
    try:
        async with asyncio.timeout(10):
            while True:
                async with engine.connect() as connection:
                    keys = [row[0] for row in await connection.execute(
                        text("SELECT idempotency_key FROM movements ORDER BY seq"))]  # fmt: skip
                if len(keys) >= recorded:
                    return keys
                await asyncio.sleep(0.05)
    finally:
        stop.set()
        await running


async def test_a_batch_slow_to_lock_is_still_applied_before_the_batch_behind_it(
    consumer: tuple[MovementConsumer, Any, Topology], nats_client: NatsClient, monkeypatch: Any
) -> None:
    movements, engine, topology = consumer
    locking = PostgresPositions.get_many
    slowed: list[int] = []

    async def slow_for_the_receipt(self: Any, keys: Any, *, for_update: bool = False) -> Any:
        if for_update and not slowed:  # the first batch (the receipt's) is slow to take its locks
            slowed.append(1)
            await asyncio.sleep(0.5)
        return await locking(self, keys, for_update=for_update)

    monkeypatch.setattr(PostgresPositions, "get_many", slow_for_the_receipt)
    await publish(nats_client, topology, movement("receipt", "r1", 0, 5), movement("ship", "s1", 1, 5))
    assert await run_until(movements, engine, 2) == ["r1", "s1"]
    async with engine.connect() as connection:
        on_hand = (await connection.execute(text("SELECT on_hand FROM positions"))).scalar_one()
    assert on_hand == 0


async def test_a_batch_behind_one_that_rolls_back_is_not_committed_ahead_of_it(
    consumer: tuple[MovementConsumer, Any, Topology], nats_client: NatsClient, monkeypatch: Any
) -> None:
    movements, engine, topology = consumer
    committing = PostgresUnitOfWork.commit
    failed: list[int] = []

    async def first_commit_fails(self: PostgresUnitOfWork) -> None:
        if not failed:
            failed.append(1)
            await asyncio.sleep(0.3)  # the batch behind has locked, folded and written by now
            raise ConnectionError("PostgreSQL went away")
        await committing(self)

    monkeypatch.setattr(PostgresUnitOfWork, "commit", first_commit_fails)
    await publish(nats_client, topology, movement("receipt", "r1", 0, 5), movement("ship", "s1", 1, 5))
    assert await run_until(movements, engine, 2) == ["r1", "s1"]
    async with engine.connect() as connection:
        on_hand = (await connection.execute(text("SELECT on_hand FROM positions"))).scalar_one()
    assert (failed, on_hand) == ([1], 0)
