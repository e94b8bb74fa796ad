"""Guarantee (a): a duplicated event changes nothing.

Fails if the inbox check is removed (in ConsumerRunner._apply, drop `if first_time is None:
return False`): the copy published outside the dedupe window is applied twice, counter = 2.
"""

from canon.envelope import NATS_MSG_ID
from messaging.consumer import ConsumerRunner, ConsumerSpec
from messaging.dlq import DeadLetters
from messaging.publisher import Publisher


async def drain(runner: ConsumerRunner) -> int:
    handled = 0
    while fetched := await runner.process_once(timeout_s=0.5):
        handled += fetched
    return handled


async def test_an_event_published_again_is_applied_once(js, topology, session_factory, helpers) -> None:
    publisher = Publisher(js, topology)
    event = helpers.sale_event()
    payload = b'{"total": 1}'

    first = await publisher.publish(event, payload)
    inside_window = await publisher.publish(event, payload)
    # Beyond the dedupe window JetStream stores the copy: simulate it with another Nats-Msg-Id.
    outside_window = await js.publish(
        topology.subject(event.type), payload, headers={**event.to_headers(), NATS_MSG_ID: "later-copy"}
    )

    assert (first.duplicate, inside_window.duplicate, outside_window.duplicate) == (None, True, None)
    assert await helpers.stream_messages("SALES") == 2

    runner = ConsumerRunner(
        js,
        session_factory,
        topology,
        ConsumerSpec(durable="sales-counter", stream="SALES"),
        helpers.count_event,
        DeadLetters(js, topology),
    )
    await runner.bind()
    assert await drain(runner) == 2

    assert await helpers.counter(event.id) == 1
    assert await runner.lag() == 0
    info = await js.consumer_info(topology.stream("SALES").name, "sales-counter")
    assert info.num_ack_pending == 0
