"""Run by test_messaging_consumer_crash: a consumer process that SIGKILLs itself right after its
transaction commits and before it acks, the worst moment for a consumer to die.

argv: database_url nats_url namespace durable
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys

import nats
from canon.envelope import Envelope
from messaging.consumer import ConsumerRunner, ConsumerSpec
from messaging.dlq import DeadLetters
from messaging.topology import Topology
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

INCREMENT = text(
    "insert into counters (key, value) values (:key, 1)"
    " on conflict (key) do update set value = counters.value + 1"
)


async def count_event(session: AsyncSession, envelope: Envelope, payload: bytes) -> None:
    await session.execute(INCREMENT, {"key": envelope.id})


def die(envelope: Envelope) -> None:
    os.kill(os.getpid(), signal.SIGKILL)


async def main(database_url: str, nats_url: str, namespace: str, durable: str) -> None:
    engine = create_async_engine(database_url)
    client = await nats.connect(nats_url)
    js = client.jetstream()
    topology = Topology(namespace)
    spec = ConsumerSpec(durable=durable, stream="SALES", ack_wait_s=1.0)
    dead_letters = DeadLetters(js, topology)
    sessions = async_sessionmaker(engine)
    runner = ConsumerRunner(js, sessions, topology, spec, count_event, dead_letters, after_commit=die)
    await runner.bind()
    for _ in range(100):
        await runner.process_once(timeout_s=0.2)
    raise SystemExit("no message arrived")


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:5]))
