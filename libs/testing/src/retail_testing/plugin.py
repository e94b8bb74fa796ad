"""pytest plugin (registered through the `pytest11` entry point) with real PostgreSQL and NATS fixtures.

Each test gets its own database and its own NATS namespace (stream names and subjects prefixed), so tests
do not see each other's data and can run against servers that already hold other data.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator

import asyncpg
import nats
import pytest
from nats.aio.client import Client as NatsClient
from retail_platform.dburl import database_name, libpq_url, with_database

from retail_testing.servers import nats_server, postgres_server


@pytest.fixture(scope="session")
def postgres_server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """asyncpg URL of the server's admin database (shared by the session)."""
    with postgres_server(tmp_path_factory.mktemp("servers")) as url:
        yield url


@pytest.fixture(scope="session")
def nats_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with nats_server(tmp_path_factory.mktemp("servers")) as url:
        yield url


async def create_database(server_url: str, name: str) -> str:
    connection = await asyncpg.connect(libpq_url(server_url))
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return with_database(server_url, name)


async def drop_database(server_url: str, name: str) -> None:
    connection = await asyncpg.connect(libpq_url(server_url))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


@pytest.fixture
async def database_url(postgres_server_url: str) -> AsyncIterator[str]:
    """asyncpg URL of a fresh, empty database for this test; dropped afterwards."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    url = await create_database(postgres_server_url, name)
    assert database_name(url) == name
    yield url
    await drop_database(postgres_server_url, name)


@pytest.fixture
def nats_namespace() -> str:
    """A prefix for this test's stream names and subjects (see messaging.topology)."""
    return f"t{uuid.uuid4().hex[:10]}"


@pytest.fixture
async def nats_client(nats_url: str, nats_namespace: str) -> AsyncIterator[NatsClient]:
    """A connected client; streams created under this test's namespace are deleted afterwards."""
    client = await nats.connect(nats_url)
    yield client
    js = client.jetstream()
    for stream in await js.streams_info():
        if stream.config.name and stream.config.name.startswith(nats_namespace.upper()):
            await js.delete_stream(stream.config.name)
    await client.close()
