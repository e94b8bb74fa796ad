"""Guarantee (d): events in the outbox when the relay crashed (after publishing some rows, before
marking them) are all published once a relay runs again, each exactly once in the stream.

Fails if the event id is not used for de-duplication (in Publisher.publish_raw, publish the
headers without `Nats-Msg-Id`): the rows published before the crash are stored twice (14 messages).
"""

import asyncio
import signal
import sys
from pathlib import Path

from messaging.outbox import OutboxRelay, add_to_outbox
from messaging.publisher import Publisher
from messaging.replay import replay_stream
from messaging.schema import outbox
from sqlalchemy import func, select

CRASHING_RELAY = Path(__file__).with_name("messaging_crash_relay.py")


async def test_rows_published_before_a_relay_crash_are_in_the_stream_exactly_once(
    js, topology, session_factory, helpers, database_url, nats_url, nats_namespace
) -> None:
    events = [helpers.sale_event() for _ in range(10)]
    async with session_factory() as session, session.begin():
        for index, event in enumerate(events):
            await add_to_outbox(session, event, b'{"n": %d}' % index)

    crashed = await asyncio.create_subprocess_exec(
        sys.executable, str(CRASHING_RELAY), database_url, nats_url, nats_namespace, "4"
    )
    assert await asyncio.wait_for(crashed.wait(), 60) == -signal.SIGKILL
    assert await helpers.stream_messages("SALES") == 4
    async with session_factory() as session:
        unmarked = await session.scalar(select(func.count()).where(outbox.c.published_at.is_(None)))
    assert unmarked == 10

    restarted = OutboxRelay(session_factory, Publisher(js, topology))
    assert await restarted.run_once() == 10
    assert await restarted.backlog() == 0

    in_stream: list[tuple[str, bytes]] = []

    async def collect(envelope, payload, seq) -> None:
        in_stream.append((envelope.id, payload))

    assert await replay_stream(js, topology, "SALES", collect) == 10
    assert in_stream == [(event.id, b'{"n": %d}' % index) for index, event in enumerate(events)]
    assert await helpers.stream_messages("SALES") == 10


async def test_a_crash_inside_a_pipelined_window_republishes_without_duplicates(
    js, topology, session_factory, helpers, database_url, nats_url, nats_namespace
) -> None:
    """With a 64-row window all 10 rows may be out before the crash and none marked: the restarted
    relay publishes all 10 again and JetStream keeps each once."""
    events = [helpers.sale_event() for _ in range(10)]
    async with session_factory() as session, session.begin():
        for index, event in enumerate(events):
            await add_to_outbox(session, event, b'{"n": %d}' % index)
    crashed = await asyncio.create_subprocess_exec(
        sys.executable, str(CRASHING_RELAY), database_url, nats_url, nats_namespace, "4", "64"
    )
    assert await asyncio.wait_for(crashed.wait(), 60) == -signal.SIGKILL
    assert await OutboxRelay(session_factory, Publisher(js, topology)).run_once() == 10
    assert await helpers.stream_messages("SALES") == 10
