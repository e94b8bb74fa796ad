"""The inventory outbox relay on the real PostgreSQL and NATS: rows go out in seq order with the
envelope headers and payload as written, are marked after their acks, and a row JetStream does not
take stops the batch there (nothing after it is marked, so nothing overtakes it)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest
from canon.envelope import Envelope
from canon.inventory import PositionChanged, Shipped
from inventory.adapters.nats.outbox_relay import LeanOutboxRelay, OutboxPublishError, _hpub_frame
from inventory.adapters.postgres.outbox import outbox_row
from inventory.adapters.postgres.queries import keep_session
from inventory.bootstrap import MIGRATIONS
from messaging.provision import provision
from messaging.replay import replay_stream
from messaging.topology import Topology
from nats.aio.client import Client as NatsClient
from retail_platform.database import run_migrations
from retail_platform.dburl import libpq_url

pytestmark = pytest.mark.integration
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def position(sku: str, on_hand: int) -> PositionChanged:
    return PositionChanged(
        sku=sku, node="DC1", on_hand=on_hand, reserved=0, allocated=0, in_transit=0, damaged=0,
        safety_stock=0, available_to_sell=on_hand, shortfall=0, as_of=T0,
    )  # fmt: skip


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    await run_migrations(database_url, MIGRATIONS)
    pool = await asyncpg.create_pool(libpq_url(database_url), min_size=1, max_size=2, reset=keep_session)
    assert pool is not None
    yield pool
    await pool.close()


@pytest.fixture
async def topology(nats_client: NatsClient, nats_namespace: str) -> Topology:
    topology = Topology(nats_namespace)
    await provision(nats_client.jetstream(), topology)
    return topology


async def write(pool: asyncpg.Pool, rows: list[tuple[str, str, str, bytes]]) -> None:
    await pool.copy_records_to_table(
        "outbox", records=rows, columns=("event_id", "subject", "headers", "payload")
    )


async def marked(pool: asyncpg.Pool) -> list[bool]:
    return [row[0] for row in await pool.fetch("SELECT published_at IS NOT NULL FROM outbox ORDER BY seq")]


async def stream(nats_client: NatsClient, topology: Topology) -> list[tuple[Envelope, bytes]]:
    seen: list[tuple[Envelope, bytes]] = []

    async def collect(envelope: Envelope, payload: bytes, seq: int) -> None:
        seen.append((envelope, payload))

    await replay_stream(nats_client.jetstream(), topology, "INVENTORY", collect)
    return seen


async def test_rows_are_published_in_order_with_their_envelope_then_marked(
    pool: asyncpg.Pool, nats_client: NatsClient, topology: Topology
) -> None:
    events: list[Any] = [position(f"SKU-{n}", n) for n in range(5)]
    events.append(Shipped(movement_id="m-1", sku="SKU-1", node="DC1", qty=1, order_id="o-1", occurred_at=T0))
    rows = [outbox_row(event, "2026-03-01T09:00:00Z") for event in events]
    await write(pool, rows)
    relay = LeanOutboxRelay(pool, nats_client, topology, batch_size=4)

    assert await relay.backlog() == 6
    assert [await relay.run_once(), await relay.run_once(), await relay.run_once()] == [4, 2, 0]

    assert await relay.backlog() == 0
    assert await marked(pool) == [True] * 6
    published = await stream(nats_client, topology)
    assert [(envelope.id, envelope.type, payload) for envelope, payload in published] == [
        (event_id, subject, payload) for event_id, subject, _, payload in rows
    ]
    assert published[0][0].subject == "SKU-0@DC1"
    assert published[0][0].source == "inventory"


async def test_a_row_no_stream_takes_stops_the_batch_there(
    pool: asyncpg.Pool, nats_client: NatsClient, topology: Topology
) -> None:
    good = outbox_row(position("SKU-1", 1), "2026-03-01T09:00:00Z")
    nowhere = ("e-nowhere", "retail.nowhere.thing.v1", good[2].replace(good[0], "e-nowhere"), b"{}")
    after = outbox_row(position("SKU-2", 2), "2026-03-01T09:00:00Z")
    await write(pool, [good, nowhere, after])
    relay = LeanOutboxRelay(pool, nats_client, topology, ack_timeout_s=2.0)

    with pytest.raises(OutboxPublishError, match="outbox row"):
        await relay.run_once()

    assert await marked(pool) == [True, False, False]  # the later row is not marked ahead of it


def test_a_header_the_frame_cannot_carry_as_is_goes_through_the_client() -> None:
    block = b"NATS/1.0\r\nce-id: 1\r\n\r\n"
    assert _hpub_frame("s", "r", {"ce-id": "1"}, b"{}") == (
        b"HPUB s r %d %d\r\n" % (len(block), len(block) + 2) + block + b"{}\r\n"
    )
    assert _hpub_frame("s", "r", {"ce-id": " padded "}, b"{}") is None
    assert _hpub_frame("s", "r", {"ce-id": "a\r\nb"}, b"{}") is None
    assert _hpub_frame("s", "r", {"bad name": "x"}, b"{}") is None
