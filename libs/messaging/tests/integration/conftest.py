"""Fixtures for the messaging integration tests: a database with the outbox/inbox tables and a
``counters`` table the test handlers increment, and the topology provisioned in this test's
NATS namespace."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from canon.envelope import Envelope
from messaging.provision import provision
from messaging.schema import create_messaging_schema_async
from messaging.topology import Topology
from nats.aio.client import Client as NatsClient
from nats.js import JetStreamContext
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

SALE = "retail.sales.transaction_recorded.v1"
INCREMENT = text(
    "insert into counters (key, value) values (:key, 1)"
    " on conflict (key) do update set value = counters.value + 1"
)


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(database_url)
    await create_messaging_schema_async(engine)
    async with engine.begin() as connection:
        await connection.execute(text("create table counters (key text primary key, value int not null)"))
    yield engine
    await engine.dispose()


@pytest.fixture
def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


@pytest.fixture
def topology(nats_namespace: str) -> Topology:
    return Topology(nats_namespace)


@pytest.fixture
async def js(nats_client: NatsClient, topology: Topology) -> JetStreamContext:
    js = nats_client.jetstream()
    await provision(js, topology)
    return js


class Helpers:
    """Small helpers the tests share (a conftest cannot be imported under importlib mode)."""

    def __init__(self, engine: AsyncEngine, js: JetStreamContext, topology: Topology) -> None:
        self.engine = engine
        self.js = js
        self.topology = topology

    @staticmethod
    def sale_event(event_id: str | None = None) -> Envelope:
        return Envelope.new(SALE, "messaging-tests", subject="store-1", id=event_id)

    @staticmethod
    async def count_event(session: AsyncSession, envelope: Envelope, payload: bytes) -> None:
        """A handler whose effect is visible: counters[event id] += 1."""
        await session.execute(INCREMENT, {"key": envelope.id})

    async def counter(self, key: str) -> int:
        async with self.engine.connect() as connection:
            value = await connection.scalar(text("select value from counters where key = :key"), {"key": key})
        return int(value or 0)

    async def stream_messages(self, canonical_stream: str) -> int:
        info = await self.js.stream_info(self.topology.stream(canonical_stream).name)
        return info.state.messages


@pytest.fixture
def helpers(engine: AsyncEngine, js: JetStreamContext, topology: Topology) -> Helpers:
    return Helpers(engine, js, topology)
