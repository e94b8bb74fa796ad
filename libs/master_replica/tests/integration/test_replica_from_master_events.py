"""A consuming service keeps its own replica from master_data's events (real PostgreSQL and NATS)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from canon.envelope import Envelope
from canon.events import master_event_type, upserted
from canon.master_data import Item
from master_replica import MasterReplica, apply_master_event, create_replica_schema, replica_consumer_spec
from messaging.consumer import ConsumerRunner
from messaging.dlq import DeadLetters
from messaging.provision import provision
from messaging.publisher import Publisher
from messaging.schema import create_messaging_schema
from messaging.topology import Topology
from nats.aio.client import Client as NatsClient
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(database_url)
    async with engine.begin() as connection:
        await connection.run_sync(create_messaging_schema)
        await connection.run_sync(create_replica_schema)
    yield engine
    await engine.dispose()


async def publish_item(publisher: Publisher, name: str, version: int) -> None:
    record = Item(sku="LAMP-1", name=name, category_id="LIGHTING", tax_class="standard")
    event_type = master_event_type("item")
    changed_at = T0 + timedelta(minutes=version)
    envelope = Envelope.new(
        type=event_type.type, source="/test", subject="LAMP-1", id=f"item-LAMP-1-v{version}", time=changed_at
    )
    await publisher.publish(
        envelope, event_type.encode(upserted(record, version=version, changed_at=changed_at))
    )


async def test_newest_version_wins_whatever_the_arrival_order(
    engine: AsyncEngine, nats_client: NatsClient, nats_namespace: str
) -> None:
    topology = Topology(nats_namespace)
    js = nats_client.jetstream()
    await provision(js, topology)
    publisher = Publisher(js, topology)
    await publish_item(publisher, "Desk lamp", version=2)
    await publish_item(publisher, "Lamp", version=1)  # late, older
    await publish_item(publisher, "Desk lamp", version=2)  # duplicate

    session_factory = async_sessionmaker(engine, expire_on_commit=False)
    runner = ConsumerRunner(
        js,
        session_factory,
        topology,
        replica_consumer_spec("inventory"),
        apply_master_event,
        DeadLetters(js, topology),
    )
    await runner.bind()
    processed = 0
    for _ in range(10):
        processed += await runner.process_once(timeout_s=0.5)
        if processed >= 2:
            break

    async with session_factory() as session:
        replica = MasterReplica(session)
        item = await replica.get("item", "LAMP-1")
        assert item is not None
        assert item.name == "Desk lamp"
        assert await replica.version("item", "LAMP-1") == 2
        assert await replica.get("item", "NOPE") is None
        assert [i.sku for i in await replica.all("item")] == ["LAMP-1"]
    assert await DeadLetters(js, topology).depth() == 0


async def test_a_non_master_event_goes_to_the_dlq(
    engine: AsyncEngine, nats_client: NatsClient, nats_namespace: str
) -> None:
    topology = Topology(nats_namespace)
    js = nats_client.jetstream()
    await provision(js, topology)
    envelope = Envelope.new(type="retail.master.widget_upserted.v1", source="/test", id="w-1")
    await Publisher(js, topology).publish(envelope, b"{}")
    session_factory: async_sessionmaker[AsyncSession] = async_sessionmaker(engine, expire_on_commit=False)
    dead_letters = DeadLetters(js, topology)
    runner = ConsumerRunner(
        js, session_factory, topology, replica_consumer_spec("ledger"), apply_master_event, dead_letters
    )
    await runner.bind()
    await runner.process_once(timeout_s=1.0)
    letters = await dead_letters.list()
    assert len(letters) == 1
    assert "widget" in letters[0].reason
