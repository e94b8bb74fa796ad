"""`python -m inventory relay`: the outbox relay as its own process (see OUTBOX_RELAY in
adapters/options.py). Imports only what publishing needs, so the process starts quickly beside the
serving one."""

from __future__ import annotations

import asyncio
import signal

from messaging.outbox import OutboxRelay
from messaging.publisher import Publisher
from retail_platform.child_process import stop_when_orphaned
from retail_platform.container import ServiceContainer, resolve
from retail_platform.settings import ServiceSettings
from retail_platform.streams import topology_for


async def run_outbox_relay(settings: ServiceSettings) -> None:
    """Publish the outbox until SIGTERM/SIGINT, or until the serving process that started this one
    is gone."""
    container = ServiceContainer(settings=settings)
    await resolve(container.init_resources)
    stop = asyncio.Event()
    for stop_signal in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(stop_signal, stop.set)
    try:
        client = await resolve(container.nats)
        publisher = Publisher(await resolve(container.jetstream), topology_for(settings), client=client)
        relay = OutboxRelay(await resolve(container.session_factory), publisher)
        await asyncio.gather(relay.run(stop), stop_when_orphaned(stop))
    finally:
        await resolve(container.shutdown_resources)
