"""Outbox relay throughput and CPU per event: ``messaging.outbox.OutboxRelay`` draining an outbox.

Variants, each on a fresh database and namespace (same rows, batches of 1,000):
- ``batch_frames``: the relay as services run it (a batch published at once, the HPUB frames built
  by hand and queued with nats-py's private ``Client._send_command``, the acks under one wildcard
  subscription, awaited together);
- ``batch``: the same with the public ``nc.publish`` (``hand_built_frames=False``): what the private
  API earns;
- ``requests``: one JetStream request per row (the relay's fallback when the publisher does not
  know its NATS connection; close to the former kit relay), 64 in flight.

CPU is the bench process's (``time.process_time``, PostgreSQL and NATS run elsewhere) per row
published and marked. Uses RETAIL_SYNC_DATABASE_URL / RETAIL_SYNC_NATS_URL when set, else embedded
servers. Last line is JSON.
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
from messaging.outbox import OutboxRelay
from messaging.provision import provision
from messaging.publisher import Publisher
from messaging.schema import create_messaging_schema_async, outbox
from messaging.topology import Topology
from nats.aio.client import Client as NatsClient
from retail_platform.database import create_engine, session_factory
from retail_platform.dburl import asyncpg_url
from retail_platform.embedded import EmbeddedNats, EmbeddedPostgres
from retail_testing.plugin import create_database, drop_database
from sqlalchemy import insert

VARIANTS = ("batch", "batch_frames", "requests")
SALE = "retail.sales.transaction_recorded.v1"


class RequestsOnly(Publisher):
    @property
    def client(self) -> NatsClient | None:
        return None


async def run_relay(server_url: str, nats_url: str, rows: int, variant: str) -> tuple[float, float]:
    """(rows published and marked per second, CPU µs per row)"""
    name = f"bench_{uuid.uuid4().hex[:10]}"
    url = await create_database(server_url, name)
    engine = create_engine(url)
    client = await nats.connect(nats_url)
    topology = Topology(f"b{uuid.uuid4().hex[:8]}")
    try:
        await create_messaging_schema_async(engine)
        await provision(client.jetstream(), topology)
        sessions = session_factory(engine)
        values = []
        for n in range(rows):
            envelope = Envelope.new(type=SALE, source="/bench", subject="s-1")
            values.append(
                {
                    "event_id": envelope.id,
                    "subject": envelope.type,
                    "headers": envelope.to_headers(),
                    "payload": b'{"n": %d, "lines": [1, 2, 3]}' % n,
                }
            )
        async with sessions() as session, session.begin():
            await session.execute(insert(outbox), values)
        publisher_type = RequestsOnly if variant == "requests" else Publisher
        relay = OutboxRelay(
            sessions,
            publisher_type(client.jetstream(), topology),
            in_flight=64 if variant == "requests" else None,
            hand_built_frames=variant == "batch_frames",
        )
        started, cpu = time.perf_counter(), time.process_time()
        published = 0
        while count := await relay.run_once():
            published += count
        cpu, elapsed = time.process_time() - cpu, time.perf_counter() - started
        await relay.close()
        assert published == rows, (published, rows)
        return rows / elapsed, cpu / rows * 1e6
    finally:
        js = client.jetstream()
        for stream in topology.streams:
            await js.delete_stream(stream.name)
        await client.close()
        await engine.dispose()
        await drop_database(server_url, name)


async def main(rows: int, rounds: int) -> dict[str, object]:
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
        measured: dict[str, list[tuple[float, float]]] = {variant: [] for variant in VARIANTS}
        try:
            for _ in range(rounds):  # interleaved, so a burst of load elsewhere hits every variant
                for variant in VARIANTS:
                    run = await run_relay(asyncpg_url(server_url), nats_url, rows, variant)
                    measured[variant].append(run)
        finally:
            for server in servers:
                server.stop()
    result: dict[str, object] = {"rows": rows, "rounds": rounds}
    cpu_of: dict[str, float] = {}
    for variant, runs in measured.items():
        rate = sorted(per_s for per_s, _ in runs)[len(runs) // 2]
        cpu = cpu_of[variant] = sorted(us for _, us in runs)[len(runs) // 2]
        result[f"{variant}_per_s"] = round(rate)
        result[f"{variant}_cpu_us_per_event"] = round(cpu, 1)
        print(f"{variant:>13}: {rate:9,.0f} rows/s, {cpu:5.1f} µs CPU per event (median of {rounds})")
    result["cpu_requests_over_batch"] = round(cpu_of["requests"] / cpu_of["batch"], 2)
    result["cpu_batch_over_frames"] = round(cpu_of["batch"] / cpu_of["batch_frames"], 2)
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="2,000 rows, one round")
    arguments = parser.parse_args()
    quick = arguments.quick
    print(json.dumps(asyncio.run(main(2_000 if quick else arguments.rows, 1 if quick else arguments.rounds))))
