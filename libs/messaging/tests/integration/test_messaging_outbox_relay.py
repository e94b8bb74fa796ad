"""The relay's batches on the real PostgreSQL and NATS (moved from the inventory service, whose own
relay this one replaced): rows go out in seq order with the headers and payload as written, are
marked after their acks, and a row JetStream does not take stops the batch there (nothing after it
is marked, so nothing overtakes it)."""

import pytest
from messaging.outbox import OutboxPublishError, OutboxRelay, add_to_outbox
from messaging.publisher import Publisher
from messaging.replay import replay_stream
from messaging.schema import outbox
from nats.aio.client import Client as NatsClient
from sqlalchemy import insert, select


class RequestsOnly(Publisher):
    """A publisher that does not know its NATS connection: the relay falls back to one JetStream
    request per row."""

    @property
    def client(self) -> NatsClient | None:
        return None


async def marked(session_factory) -> list[bool]:
    async with session_factory() as session:
        rows = await session.execute(select(outbox.c.published_at.is_not(None)).order_by(outbox.c.seq))
        return [row[0] for row in rows]


async def in_stream(js, topology) -> list[tuple[str, str, str | None, bytes]]:
    seen: list[tuple[str, str, str | None, bytes]] = []

    async def collect(envelope, payload, seq) -> None:
        seen.append((envelope.id, envelope.type, envelope.subject, payload))

    await replay_stream(js, topology, "SALES", collect)
    return seen


PATHS = {
    "frames": (Publisher, True),  # HPUB frames built by the relay (the default)
    "publish": (Publisher, False),  # nc.publish
    "requests": (RequestsOnly, True),  # one JetStream request per row
}


def relay_for(session_factory, js, topology, path: str, **options) -> OutboxRelay:
    publisher_type, frames = PATHS[path]
    return OutboxRelay(session_factory, publisher_type(js, topology), hand_built_frames=frames, **options)


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("in_flight", [None, 2])
async def test_rows_go_out_in_order_with_their_headers_and_payload_then_are_marked(
    js, topology, session_factory, helpers, path, in_flight
) -> None:
    events = [helpers.sale_event() for _ in range(7)]
    async with session_factory() as session, session.begin():
        for index, event in enumerate(events):
            await add_to_outbox(session, event, b'{"n": %d}' % index)
    relay = relay_for(session_factory, js, topology, path, batch_size=4, in_flight=in_flight)

    assert await relay.backlog() == 7
    assert [await relay.run_once(), await relay.run_once(), await relay.run_once()] == [4, 3, 0]

    assert await relay.backlog() == 0
    assert await marked(session_factory) == [True] * 7
    assert await in_stream(js, topology) == [
        (event.id, event.type, "store-1", b'{"n": %d}' % index) for index, event in enumerate(events)
    ]
    await relay.close()


@pytest.mark.parametrize("path", PATHS)
async def test_a_row_no_stream_takes_stops_the_batch_there(
    js, topology, session_factory, helpers, path
) -> None:
    good, after = helpers.sale_event(), helpers.sale_event()
    async with session_factory() as session, session.begin():
        await add_to_outbox(session, good, b"{}")
        await session.execute(
            insert(outbox).values(
                event_id="e-nowhere",
                subject="retail.nowhere.thing.v1",
                headers={**good.to_headers(), "ce-id": "e-nowhere", "Nats-Msg-Id": "e-nowhere"},
                payload=b"{}",
            )
        )
        await add_to_outbox(session, after, b"{}")
    relay = relay_for(session_factory, js, topology, path, ack_timeout_s=2.0)

    with pytest.raises(OutboxPublishError, match="outbox row"):
        await relay.run_once()

    assert await marked(session_factory) == [True, False, False]  # the later row is not marked ahead of it
    assert [event_id for event_id, *_ in await in_stream(js, topology)] == [good.id, after.id]
    await relay.close()


async def test_a_header_the_frame_cannot_carry_as_is_goes_through_nc_publish(
    js, topology, session_factory, helpers
) -> None:
    event = helpers.sale_event()
    async with session_factory() as session, session.begin():
        await session.execute(
            insert(outbox).values(
                event_id=event.id,
                subject=event.type,
                headers={**event.to_headers(), "x-note": "  padded  "},
                payload=b"{}",
            )
        )
    relay = relay_for(session_factory, js, topology, "frames")

    assert await relay.run_once() == 1
    assert [event_id for event_id, *_ in await in_stream(js, topology)] == [event.id]
    await relay.close()
