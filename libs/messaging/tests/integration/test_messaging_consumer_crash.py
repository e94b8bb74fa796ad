"""Guarantee (b): a consumer killed after its commit but before its ack does not apply the event
twice when another consumer process takes over.

Fails if the inbox check is removed (in ConsumerRunner._apply, drop `if first_time is None:
return False`): the redelivery is applied again, counter = 2.
"""

import asyncio
import signal
import sys
from pathlib import Path

from messaging.consumer import ConsumerRunner, ConsumerSpec
from messaging.dlq import DeadLetters
from messaging.publisher import Publisher

CRASHING_CONSUMER = Path(__file__).with_name("messaging_crash_consumer.py")


async def test_a_consumer_killed_between_commit_and_ack_applies_the_event_once(
    js, topology, session_factory, helpers, database_url, nats_url, nats_namespace
) -> None:
    event = helpers.sale_event()
    await Publisher(js, topology).publish(event, b"{}")

    crashed = await asyncio.create_subprocess_exec(
        sys.executable, str(CRASHING_CONSUMER), database_url, nats_url, nats_namespace, "sales-counter"
    )
    assert await asyncio.wait_for(crashed.wait(), 60) == -signal.SIGKILL
    assert await helpers.counter(event.id) == 1  # committed, never acked

    takeover = ConsumerRunner(
        js,
        session_factory,
        topology,
        ConsumerSpec(durable="sales-counter", stream="SALES", ack_wait_s=1.0),
        helpers.count_event,
        DeadLetters(js, topology),
    )
    await takeover.bind()
    redelivered = 0
    for _ in range(20):  # the redelivery comes once AckWait (1 s) has passed
        redelivered += await takeover.process_once(timeout_s=0.5)
        if redelivered:
            break

    assert redelivered == 1
    assert await helpers.counter(event.id) == 1
    info = await js.consumer_info(topology.stream("SALES").name, "sales-counter")
    assert (info.num_ack_pending, info.num_redelivered, info.num_pending) == (0, 0, 0)
    assert info.delivered.stream_seq == 1
