"""Guarantee (c): a message that cannot be processed reaches the DLQ with its reason, original
subject and headers; after the fix, replaying it applies it exactly once.

The poison test fails if the dead-lettering of exhausted retries is removed (in
ConsumerRunner._retry_or_dead_letter, always `nak`): the DLQ stays empty. Its last assertion
fails if the inbox check is removed: the healthy consumer applies the replayed event again.
"""

import asyncio

import msgspec
import pytest
from canon.errors import ValidationError
from canon.event_type import EventType
from messaging.consumer import ConsumerRunner, ConsumerSpec, PermanentError, typed_handler
from messaging.dlq import DeadLetterNotFoundError, DeadLetters
from messaging.publisher import Publisher
from sqlalchemy import text


class Sale(msgspec.Struct, frozen=True, kw_only=True):
    total_minor: int


SALE_RECORDED = EventType("sales", "transaction_recorded", 1, Sale, "a sale (test copy)")


def runner(js, topology, session_factory, handler, durable, **spec) -> ConsumerRunner:
    spec = ConsumerSpec(durable=durable, stream="SALES", backoff_s=(0.05,), **spec)
    return ConsumerRunner(js, session_factory, topology, spec, handler, DeadLetters(js, topology))


async def drain(*runners: ConsumerRunner, rounds: int = 40) -> None:
    for _ in range(rounds):
        fetched = [await each.process_once(timeout_s=0.2) for each in runners]
        if not any(fetched):
            return


async def test_poison_message_is_dead_lettered_after_max_deliver_and_replayed_once_after_the_fix(
    js, topology, session_factory, helpers
) -> None:
    attempts: list[str] = []
    broken = True

    async def flaky(session, envelope, payload) -> None:
        attempts.append(envelope.id)
        if broken:
            raise RuntimeError("ledger account 4711 is locked")
        await helpers.count_event(session, envelope, payload)

    poisoned = runner(js, topology, session_factory, flaky, "ledger-poster", max_deliver=3)
    healthy = runner(js, topology, session_factory, helpers.count_event, "sales-audit")
    await poisoned.bind()
    await healthy.bind()
    event = helpers.sale_event()
    await Publisher(js, topology).publish(event, b'{"total_minor": 995}')

    await drain(poisoned, healthy)

    dead_letters = DeadLetters(js, topology)
    assert len(attempts) == 3
    assert await dead_letters.depth() == 1
    [letter] = await dead_letters.list()
    assert letter.consumer == "ledger-poster"
    assert letter.reason == (
        "retries exhausted after 3 deliveries: RuntimeError: ledger account 4711 is locked"
    )
    assert letter.original_subject == event.type
    assert letter.event_id == event.id
    assert letter.deliveries == 3
    assert letter.data == b'{"total_minor": 995}'
    assert letter.original_headers() == {k: v for k, v in event.to_headers().items() if k != "Nats-Msg-Id"}
    assert await dead_letters.get(letter.seq) == letter
    assert await helpers.counter(event.id) == 1  # the healthy consumer applied it once

    broken = False
    await dead_letters.replay(letter.seq)
    await drain(poisoned, healthy)

    assert attempts == [event.id] * 4
    assert await dead_letters.depth() == 0
    with pytest.raises(DeadLetterNotFoundError):
        await dead_letters.get(letter.seq)
    # Both consumers saw the replayed copy; only the fixed one applied it (its inbox had no row).
    assert await helpers.counter(event.id) == 2


async def test_permanent_errors_and_invalid_envelopes_go_to_the_dlq_at_once(
    js, topology, session_factory, helpers
) -> None:
    applied: list[int] = []

    async def record(session, envelope, sale: Sale) -> None:
        applied.append(sale.total_minor)

    consumer = runner(js, topology, session_factory, typed_handler(SALE_RECORDED, record), "sales-reader")
    await consumer.bind()
    publisher = Publisher(js, topology)
    good, bad = helpers.sale_event(), helpers.sale_event()
    await publisher.publish(good, b'{"total_minor": 100}')
    await publisher.publish(bad, b'{"total_minor": "ten"}')
    await js.publish(topology.subject(SALE_RECORDED.subject), b"{}", headers={"ce-id": "no-type"})

    await drain(consumer)

    assert applied == [100]
    letters = await DeadLetters(js, topology).list()
    assert [(letter.event_id, letter.deliveries) for letter in letters] == [(bad.id, 1), ("no-type", 1)]
    assert letters[0].reason.startswith(f"permanent error: payload does not match {SALE_RECORDED.type}: ")
    assert letters[1].reason == "invalid envelope: ce-type: missing header"
    assert await helpers.counter(bad.id) == 0


def test_typed_handler_turns_a_schema_error_into_a_permanent_error() -> None:
    with pytest.raises(ValidationError):
        SALE_RECORDED.decode(b"{}")
    assert issubclass(PermanentError, Exception)


async def test_a_message_whose_earlier_deliveries_never_settled_is_dead_lettered_unless_applied(
    js, topology, session_factory, helpers
) -> None:
    """Deliveries that crashed the process (here: fetched and never settled) count as attempts,
    so a message that kills its consumer cannot loop forever; an applied one is just acked."""
    consumer = runner(
        js, topology, session_factory, helpers.count_event, "crash-prone", max_deliver=1, ack_wait_s=0.5
    )
    await consumer.bind()
    applied_before, never_applied = helpers.sale_event(), helpers.sale_event()
    async with session_factory() as session, session.begin():
        await helpers.count_event(session, applied_before, b"{}")
        await session.execute(
            text("insert into inbox (consumer, event_id) values ('crash-prone', :id)"),
            {"id": applied_before.id},
        )
    publisher = Publisher(js, topology)
    await publisher.publish(applied_before, b"{}")
    await publisher.publish(never_applied, b"{}")
    crashed = await js.pull_subscribe_bind(durable="crash-prone", stream=topology.stream("SALES").name)
    assert len(await crashed.fetch(2, timeout=2)) == 2  # never settled: the "process" died

    await asyncio.sleep(0.6)
    await drain(consumer)

    [letter] = await DeadLetters(js, topology).list()
    assert letter.event_id == never_applied.id
    assert letter.reason == "retries exhausted after 1 deliveries: earlier attempts did not finish"
    assert (await helpers.counter(applied_before.id), await helpers.counter(never_applied.id)) == (1, 0)
    info = await js.consumer_info(topology.stream("SALES").name, "crash-prone")
    assert (info.num_ack_pending, info.num_pending) == (0, 0)
