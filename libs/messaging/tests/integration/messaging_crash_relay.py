"""Run by test_messaging_outbox_crash: an outbox relay that SIGKILLs itself after publishing
``kill_after`` rows of its batch, before it could mark any of them published.

argv: database_url nats_url namespace kill_after [in_flight, default 1: one publish at a time, so the
crash lands after exactly kill_after publishes]
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys

import nats
from messaging.outbox import OutboxRelay
from messaging.publisher import Publisher
from messaging.topology import Topology
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine


async def main(database_url: str, nats_url: str, namespace: str, kill_after: int, in_flight: int) -> None:
    engine = create_async_engine(database_url)
    client = await nats.connect(nats_url)
    published: list[int] = []

    def count_then_die(seq: int) -> None:
        published.append(seq)
        if len(published) == kill_after:
            os.kill(os.getpid(), signal.SIGKILL)

    relay = OutboxRelay(
        async_sessionmaker(engine),
        Publisher(client.jetstream(), Topology(namespace)),
        after_publish=count_then_die,
        in_flight=in_flight,
    )
    await relay.run_once()
    raise SystemExit("the relay finished its batch without being killed")


if __name__ == "__main__":
    in_flight = int(sys.argv[5]) if len(sys.argv) > 5 else 1
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), in_flight))
