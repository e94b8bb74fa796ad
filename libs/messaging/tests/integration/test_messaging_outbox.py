from datetime import UTC, datetime, timedelta

from messaging.outbox import OutboxRelay, add_to_outbox
from messaging.publisher import Publisher
from messaging.replay import replay_stream
from messaging.schema import outbox
from sqlalchemy import func, select, update


async def outbox_rows(session_factory) -> list[tuple[int, str, bool]]:
    async with session_factory() as session:
        rows = await session.execute(
            select(outbox.c.seq, outbox.c.event_id, outbox.c.published_at.is_not(None)).order_by(outbox.c.seq)
        )
        return [tuple(row) for row in rows]


async def stream_event_ids(js, topology) -> list[str]:
    ids: list[str] = []

    async def collect(envelope, payload, seq) -> None:
        ids.append(envelope.id)

    await replay_stream(js, topology, "SALES", collect)
    return ids


async def test_the_outbox_row_shares_the_fate_of_its_transaction(session_factory, helpers) -> None:
    kept, rolled_back = helpers.sale_event(), helpers.sale_event()
    async with session_factory() as session, session.begin():
        await add_to_outbox(session, kept, b"{}")
        await add_to_outbox(session, kept, b"{}")  # the same event again: no second row
    async with session_factory() as session, session.begin():
        await add_to_outbox(session, rolled_back, b"{}")
        await session.rollback()

    assert [event_id for _, event_id, _ in await outbox_rows(session_factory)] == [kept.id]


async def test_relay_publishes_in_outbox_order_then_marks_rows(
    js, topology, session_factory, helpers
) -> None:
    events = [helpers.sale_event() for _ in range(5)]
    async with session_factory() as session, session.begin():
        for event in events:
            await add_to_outbox(session, event, b"{}")
    relay = OutboxRelay(session_factory, Publisher(js, topology), batch_size=3)

    assert await relay.backlog() == 5
    assert [await relay.run_once(), await relay.run_once(), await relay.run_once()] == [3, 2, 0]

    assert await relay.backlog() == 0
    assert all(published for _, _, published in await outbox_rows(session_factory))
    assert await stream_event_ids(js, topology) == [event.id for event in events]


async def test_republish_sends_published_rows_again_and_the_stream_drops_the_copies(
    js, topology, session_factory, helpers
) -> None:
    events = [helpers.sale_event() for _ in range(4)]
    async with session_factory() as session, session.begin():
        for event in events:
            await add_to_outbox(session, event, b"{}")
    relay = OutboxRelay(session_factory, Publisher(js, topology))
    await relay.run_once()
    first_seq = (await outbox_rows(session_factory))[0][0]

    assert await relay.republish(from_seq=first_seq + 2) == 2
    assert await relay.republish(since=datetime.now(UTC) - timedelta(minutes=1)) == 4
    assert await relay.republish(since=datetime.now(UTC) + timedelta(minutes=1)) == 0
    assert await helpers.stream_messages("SALES") == 4  # inside the dedupe window


async def test_purge_deletes_only_rows_published_before_the_retention_window(
    js, topology, session_factory, helpers
) -> None:
    old, recent, unpublished = helpers.sale_event(), helpers.sale_event(), helpers.sale_event()
    async with session_factory() as session, session.begin():
        await add_to_outbox(session, old, b"{}")
        await add_to_outbox(session, recent, b"{}")
    relay = OutboxRelay(session_factory, Publisher(js, topology))
    await relay.run_once()
    async with session_factory() as session, session.begin():
        await session.execute(
            update(outbox)
            .where(outbox.c.event_id == old.id)
            .values(published_at=func.now() - timedelta(days=31))
        )
        await add_to_outbox(session, unpublished, b"{}")

    assert await relay.purge_published(timedelta(days=30)) == 1
    assert [event_id for _, event_id, _ in await outbox_rows(session_factory)] == [recent.id, unpublished.id]
