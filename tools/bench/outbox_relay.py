"""Outbox relay throughput: rows published and marked per second, pipelined window vs one at a time.

Uses RETAIL_SYNC_DATABASE_URL / RETAIL_SYNC_NATS_URL when set, else embedded servers. Last line is JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import time
import uuid
from pathlib import Path

import nats
from canon.envelope import Envelope
from messaging.outbox import OutboxRelay, add_to_outbox
from messaging.provision import provision
from messaging.publisher import Publisher
from messaging.schema import create_messaging_schema_async
from messaging.topology import Topology
from retail_platform.database import create_engine, session_factory
from retail_platform.dburl import asyncpg_url
from retail_platform.embedded import EmbeddedNats, EmbeddedPostgres
from retail_testing.plugin import create_database, drop_database


async def run_relay(server_url: str, nats_url: str, rows: int, in_flight: int) -> float:
    name = f"bench_{uuid.uuid4().hex[:10]}"
    url = await create_database(server_url, name)
    engine = create_engine(url)
    client = await nats.connect(nats_url)
    topology = Topology(f"b{uuid.uuid4().hex[:8]}")
    try:
        await create_messaging_schema_async(engine)
        await provision(client.jetstream(), topology)
        sessions = session_factory(engine)
        async with sessions() as session, session.begin():
            for n in range(rows):
                envelope = Envelope.new(type="retail.sales.transaction_recorded.v1", source="/bench")
                await add_to_outbox(session, envelope, b'{"n": %d}' % n)
        relay = OutboxRelay(sessions, Publisher(client.jetstream(), topology), in_flight=in_flight)
        started = time.perf_counter()
        while await relay.run_once():
            pass
        return rows / (time.perf_counter() - started)
    finally:
        js = client.jetstream()
        for stream in topology.streams:
            await js.delete_stream(stream.name)
        await client.close()
        await engine.dispose()
        await drop_database(server_url, name)


async def main(rows: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as scratch:
        os.chmod(scratch, 0o755)  # embedded PostgreSQL runs as an unprivileged user
        servers: list[EmbeddedPostgres | EmbeddedNats] = []
        server_url = os.environ.get("RETAIL_SYNC_DATABASE_URL")
        if server_url is None:
            postgres = EmbeddedPostgres(Path(scratch) / "pg")
            server_url = postgres.start()
            servers.append(postgres)
        nats_url = os.environ.get("RETAIL_SYNC_NATS_URL")
        if nats_url is None:
            embedded = EmbeddedNats(Path(scratch) / "nats")
            nats_url = embedded.start()
            servers.append(embedded)
        try:
            sequential = await run_relay(asyncpg_url(server_url), nats_url, rows, in_flight=1)
            pipelined = await run_relay(asyncpg_url(server_url), nats_url, rows, in_flight=64)
        finally:
            for server in servers:
                server.stop()
    print(f"rows {rows}: one at a time {sequential:,.0f}/s, pipelined (64 in flight) {pipelined:,.0f}/s")
    return {
        "rows": rows,
        "sequential_per_s": round(sequential),
        "pipelined_per_s": round(pipelined),
        "speedup": round(pipelined / sequential, 2),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--quick", action="store_true", help="2,000 rows")
    arguments = parser.parse_args()
    print(json.dumps(asyncio.run(main(2_000 if arguments.quick else arguments.rows))))
