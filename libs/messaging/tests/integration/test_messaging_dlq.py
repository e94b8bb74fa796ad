"""Guarantee (c): a message that cannot be processed reaches the DLQ with its reason, original
subject and headers; after the fix, replaying it applies it exactly once.

The poison test fails if the dead-lettering of exhausted retries is removed (in
ConsumerRunner._retry_or_dead_letter, always `nak`): the DLQ stays empty. Its last assertion
fails if the inbox check is removed: the healthy consumer applies the replayed event again.
"""

import msgspec
import pytest
from canon.errors import ValidationError
from canon.event_type import EventType
from messaging.consumer import ConsumerRunner, ConsumerSpec, PermanentError, typed_handler
from messaging.dlq import DeadLetterNotFoundError, DeadLetters
from messaging.publisher import Publisher


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
