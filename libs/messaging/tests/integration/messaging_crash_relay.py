"""Run by test_messaging_outbox_crash: an outbox relay that SIGKILLs itself after publishing
``kill_after`` rows of its batch, before it could mark any of them published.

argv: database_url nats_url namespace kill_after
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


async def main(database_url: str, nats_url: str, namespace: str, kill_after: int) -> None:
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
    )
    await relay.run_once()
    raise SystemExit("the relay finished its batch without being killed")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])))
