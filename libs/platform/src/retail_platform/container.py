"""Base dependency-injector container every service's `bootstrap.py` subclasses.

Resources are async: `await container.init_resources()` at start-up and
`await container.shutdown_resources()` at shutdown (the engine is disposed, NATS drained). Because
the resources are async, every provider that depends on one returns an awaitable:
`engine = await container.engine()`, `await container.session_factory()`, `await container.jetstream()`.
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import AsyncIterator
from typing import Any

import nats
from dependency_injector import containers, providers
from nats.aio.client import Client as NatsClient
from nats.js import JetStreamContext
from sqlalchemy.ext.asyncio import AsyncEngine

from retail_platform.database import create_engine, session_factory
from retail_platform.settings import ServiceSettings


async def engine_resource(settings: ServiceSettings) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(settings.service_database_url)
    try:
        yield engine
    finally:
        await engine.dispose()


async def nats_resource(settings: ServiceSettings) -> AsyncIterator[NatsClient]:
    client = await nats.connect(
        settings.nats_url,
        name=settings.service_name,
        max_reconnect_attempts=-1,
        reconnect_time_wait=1,
    )
    try:
        yield client
    finally:
        # Flush what was published, then close. Not drain(): idle pull subscriptions hold a drain until
        # its timeout, and nothing needs it (a message fetched but not acked is redelivered; consumers
        # commit before they ack, so a redelivery changes nothing).
        if client.is_connected:
            with contextlib.suppress(Exception):
                await client.flush(timeout=2)
        await client.close()


def jetstream_of(client: NatsClient) -> JetStreamContext:
    return client.jetstream()


class ServiceContainer(containers.DeclarativeContainer):
    config = providers.Configuration()
    settings = providers.Dependency(instance_of=ServiceSettings)
    engine = providers.Resource(engine_resource, settings=settings)
    session_factory = providers.Singleton(session_factory, engine)
    nats = providers.Resource(nats_resource, settings=settings)
    jetstream = providers.Singleton(jetstream_of, nats)


async def resolve(provider: Any) -> Any:
    """The value of a provider, awaiting it when it depends on an async resource."""
    value = provider()
    return await value if inspect.isawaitable(value) else value
