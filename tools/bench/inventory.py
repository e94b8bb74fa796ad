"""`retail-sync bench inventory`: movement ingestion, hot-sku reservations, availability latency.

Everything runs against the inventory service as its own process (`python -m inventory serve`, HTTP +
gRPC + NATS consumers + outbox relay) on a fresh database and NATS namespace, on the servers named by
RETAIL_SYNC_DATABASE_URL / RETAIL_SYNC_NATS_URL (default: 127.0.0.1).

1. Ingestion: N movements (100,000 over 10,000 skus x 50 nodes; `--quick`: 10,000 over 1,000 x 20;
   receipts, shipments, transfers, returns and cycle counts, in time order, none rejected) are
   published to `retail.inventory.movement_submitted.v1` first. Raw ceiling: the same messages
   consumed by a pull consumer in batches of the service's size, acked, and batch-inserted as raw
   rows with no domain logic. End to end: the service is started and drains them (decode, validate,
   fold, positions, movement log, outbox, inbox, one transaction per batch). Both rates are
   N / (last commit - first commit), from `clock_timestamp()` columns.
2. Hot sku: C concurrent gRPC clients (200) send Reserve(1 unit) until A attempts are made against
   S units available (A = 1.2 S); reservations/s = A / elapsed, and the oversell count (accepted
   beyond S, or reserved beyond on hand in the database) must be 0. Baseline: the bare conditional
   `UPDATE ... SET reserved = reserved + 1 WHERE on_hand - reserved >= 1` on one row from C tasks
   over a pool of the service's size (15), same A and S.
3. GetAvailability for 50 skus x 20 nodes, one client, sequential calls: p50 / p99.

The outbox relay runs as the service runs it by default (a child process of `serve`);
`RETAIL_SYNC_INVENTORY_OUTBOX_RELAY=inline` measures it inside the serving process.

Last line: JSON with ingest_per_s, raw_ceiling_per_s, ingest_ratio, reservations_per_s,
bare_update_per_s, reservation_ratio, oversold, availability_p50_ms, availability_p99_ms, and the
1-minute load average at the start and the end (wall-clock figures on a shared machine need it).
Targets: ingest_ratio >= 0.4, reservation_ratio >= 0.5, oversold 0, availability_p99_ms <= 5.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import grpc
import httpx
import msgspec
import nats
from canon.envelope import Envelope
from canon.ids import deterministic_id
from canon.inventory import MOVEMENT_SUBMITTED
from inventory.adapters.nats.movement_consumer import MOVEMENTS_SPEC
from messaging.topology import Topology
from nats.aio.client import Client as NatsClient
from retail_platform.dburl import libpq_url
from retail_platform.embedded import free_port
from retail_platform.grpc_codegen import load_grpc_modules
from retail_testing.plugin import create_database, drop_database
from retail_testing.service_process import ServiceProcess, service_env

T0 = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)
HOT_SKU, CHANNEL = "HOT-SKU", "WEB"
RAW_TABLE = "CREATE TABLE bench_raw_movements (seq bigint PRIMARY KEY, body bytea NOT NULL, " \
    "recorded_at timestamptz NOT NULL DEFAULT clock_timestamp())"  # fmt: skip


@dataclass(frozen=True)
class Size:
    movements: int
    skus: int
    nodes: int
    available: int
    clients: int
    availability_calls: int


FULL = Size(movements=100_000, skus=10_000, nodes=50, available=5_000, clients=200, availability_calls=500)
QUICK = Size(movements=10_000, skus=1_000, nodes=20, available=1_000, clients=200, availability_calls=200)


def sku(n: int) -> str:
    return f"SKU-{n:05}"


def node(n: int) -> str:
    return f"N{n:02}"


def movements(size: Size, seed: int = 7) -> tuple[list[dict[str, Any]], int]:
    """Movements in time order (none is rejected) and the total on hand they leave."""
    rng = random.Random(seed)
    on_hand: dict[tuple[str, str], int] = {}
    records: list[dict[str, Any]] = []
    block = [(sku(s), node(n)) for s in range(50) for n in range(20)]  # the availability block
    for index in range(size.movements):
        at = (T0 + timedelta(milliseconds=index)).isoformat().replace("+00:00", "Z")
        key = (
            block[index]
            if index < len(block)
            else (sku(rng.randrange(size.skus)), node(rng.randrange(size.nodes)))
        )
        held = on_hand.get(key, 0)
        common = {
            "idempotency_key": f"m-{index}",
            "source_system": "wms",
            "occurred_at": at,
            "sku": key[0],
            "node": key[1],
        }
        roll = rng.random()
        if index < len(block) or held == 0 or roll < 0.6:
            qty = rng.randint(1, 20)
            record = {"type": "receipt", **common, "qty": qty}
            on_hand[key] = held + qty
        elif roll < 0.8:
            qty = rng.randint(1, held)
            record = {"type": "ship", **common, "qty": qty, "order_id": f"o-{index}"}
            on_hand[key] = held - qty
        elif roll < 0.9:
            qty = rng.randint(1, held)
            destination = node((int(key[1][1:]) + 1) % size.nodes)
            record = {"type": "transfer_shipped", **common, "qty": qty, "destination_node": destination,
                      "transfer_id": f"t-{index}"}  # fmt: skip
            on_hand[key] = held - qty
        elif roll < 0.95:
            record = {
                "type": "return_received",
                **common,
                "qty": 1,
                "disposition": "sellable",
                "rma": f"rma-{index}",
            }
            on_hand[key] = held + 1
        else:
            counted = max(0, held + rng.randint(-2, 2))
            record = {"type": "cycle_count", **common, "counted_qty": counted}
            on_hand[key] = counted
        records.append(record)
    return records, sum(on_hand.values())


async def seed_master_data(database_url: str, size: Size) -> None:
    """Items and nodes straight into the service's master replica (set-up, not measured)."""
    nodes = [
        {"node_id": node(n), "name": f"Node {n}", "kind": "dc", "region": "EU", "legal_entity_id": "LE-EU",
         "timezone": "UTC", "serves_channels": [CHANNEL]}
        for n in range(size.nodes)
    ]  # fmt: skip
    items = [
        {"sku": s, "name": f"Item {s}", "category_id": "HOME"} for s in [*map(sku, range(size.skus)), HOT_SKU]
    ]
    rows = [("node", n["node_id"], 1, json.dumps(n), T0) for n in nodes]
    rows += [("item", i["sku"], 1, json.dumps(i), T0) for i in items]
    connection = await asyncpg.connect(libpq_url(database_url))
    try:
        await connection.executemany(
            "INSERT INTO master_replica (record_type, key, version, content, changed_at) "
            "VALUES ($1, $2, $3, $4::jsonb, $5)",
            rows,
        )
    finally:
        await connection.close()


async def publish(nc: NatsClient, topology: Topology, records: list[dict[str, Any]]) -> None:
    subject = topology.subject(MOVEMENT_SUBMITTED.subject)
    for record in records:
        event_id = deterministic_id("bench", record["idempotency_key"])
        envelope = Envelope(
            id=event_id, type=MOVEMENT_SUBMITTED.type, source="wms", time=T0, subject=record["sku"]
        )
        await nc.publish(subject, msgspec.json.encode(record), headers=envelope.to_headers())
    await nc.flush()
    js = nc.jetstream()
    stream = topology.stream("INVENTORY").name
    while (await js.stream_info(stream)).state.messages < len(records):  # noqa: ASYNC110 - polling the server
        await asyncio.sleep(0.1)


async def raw_ceiling(nc: NatsClient, topology: Topology, database_url: str, count: int) -> float:
    """The same messages, consumed and batch-inserted with no domain logic."""
    js = nc.jetstream()
    stream = topology.stream("INVENTORY").name
    subscription = await js.pull_subscribe(
        topology.subject(MOVEMENT_SUBMITTED.subject), durable="bench_raw", stream=stream
    )
    connection = await asyncpg.connect(libpq_url(database_url))
    await connection.execute(RAW_TABLE)
    done = 0
    try:
        while done < count:
            messages = await subscription.fetch(MOVEMENTS_SPEC.batch_size, timeout=5)
            async with connection.transaction():
                await connection.executemany(
                    "INSERT INTO bench_raw_movements (seq, body) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                    [(m.metadata.sequence.stream, m.data) for m in messages],
                )
            for message in messages:
                await message.ack()
            done += len(messages)
        span = await connection.fetchval(
            "SELECT extract(epoch FROM max(recorded_at) - min(recorded_at)) FROM bench_raw_movements"
        )
    finally:
        await connection.close()
        await subscription.unsubscribe()
        await js.delete_consumer(stream, "bench_raw")
    return count / float(span)


async def ingest(service: ServiceProcess, database_url: str, count: int) -> tuple[float, float]:
    """Start the service and wait until it has recorded every movement: (rate, wall seconds)."""
    started = time.perf_counter()
    await asyncio.to_thread(service.start)
    connection = await asyncpg.connect(libpq_url(database_url))
    try:
        while await connection.fetchval("SELECT count(*) FROM movements") < count:  # noqa: ASYNC110
            await asyncio.sleep(0.25)
        span = await connection.fetchval(
            "SELECT extract(epoch FROM max(recorded_at) - min(recorded_at)) FROM movements"
        )
    finally:
        await connection.close()
    return count / float(span), time.perf_counter() - started


async def drain_outbox(database_url: str) -> tuple[int, float]:
    """Wait until the service's relay has published every event (so the next phase is measured
    on its own): (events published, seconds waited)."""
    connection = await asyncpg.connect(libpq_url(database_url))
    started = time.perf_counter()
    try:
        while await connection.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL"):  # noqa: ASYNC110
            await asyncio.sleep(0.25)
        published = await connection.fetchval("SELECT count(*) FROM outbox")
    finally:
        await connection.close()
    return published, time.perf_counter() - started


async def hot_sku(
    service: ServiceProcess, admin_key: str, grpc_port: int, database_url: str, size: Size
) -> dict[str, Any]:
    pb, pb_grpc = load_grpc_modules("retail_sync/inventory/v1/inventory.proto")
    stock = {"type": "receipt", "idempotency_key": "hot-stock", "source_system": "wms",
             "occurred_at": "2026-11-01T00:00:00Z", "sku": HOT_SKU, "node": node(0),
             "qty": size.available}  # fmt: skip
    async with httpx.AsyncClient(base_url=service.base_url, headers={"X-API-Key": admin_key}) as api:
        assert (await api.post("/v1/movements/batches", json={"records": [stock]})).json()["accepted"] == 1
    attempts = size.available * 6 // 5
    next_attempt = iter(range(attempts))
    outcomes: list[int] = []
    metadata = (("x-api-key", admin_key),)
    channels = [grpc.aio.insecure_channel(f"127.0.0.1:{grpc_port}") for _ in range(4)]
    stubs = [pb_grpc.InventoryServiceStub(channel) for channel in channels]

    async def client(n: int) -> None:
        stub = stubs[n % len(stubs)]
        for attempt in next_attempt:
            request = pb.ReserveRequest(
                reservation_id=f"r-{attempt}", sku=HOT_SKU, node=node(0), qty=1, ttl_seconds=3600
            )
            outcomes.append((await stub.Reserve(request, metadata=metadata)).outcome)

    await stubs[0].Reserve(
        pb.ReserveRequest(reservation_id="warm-up", sku=HOT_SKU, node=node(0), qty=1), metadata=metadata
    )
    started = time.perf_counter()
    await asyncio.gather(*(client(n) for n in range(size.clients)))
    elapsed = time.perf_counter() - started
    for channel in channels:
        await channel.close()
    accepted = outcomes.count(pb.RESERVE_OUTCOME_RESERVED) + 1  # and the warm-up
    connection = await asyncpg.connect(libpq_url(database_url))
    try:
        row = await connection.fetchrow("SELECT on_hand, reserved, allocated, damaged, safety_stock "
                                        "FROM positions "
                                        "WHERE sku = $1 AND node = $2", HOT_SKU, node(0))  # fmt: skip
    finally:
        await connection.close()
    over_in_db = max(
        0, row["reserved"] + row["allocated"] + row["damaged"] + row["safety_stock"] - row["on_hand"]
    )
    return {
        "attempts": attempts,
        "accepted": accepted,
        "refused": outcomes.count(pb.RESERVE_OUTCOME_INSUFFICIENT_STOCK),
        "reservations_per_s": attempts / elapsed,
        "oversold": max(0, accepted - size.available) + over_in_db,
    }


async def bare_update(database_url: str, size: Size) -> float:
    attempts = size.available * 6 // 5
    pool = await asyncpg.create_pool(libpq_url(database_url), min_size=15, max_size=15)
    assert pool is not None
    try:
        await pool.execute(
            "CREATE TABLE bench_hot (id int PRIMARY KEY, on_hand int NOT NULL, reserved int NOT NULL)"
        )
        await pool.execute("INSERT INTO bench_hot VALUES (1, $1, 0)", size.available)
        next_attempt = iter(range(attempts))

        async def task() -> None:
            for _ in next_attempt:
                await pool.fetchval(
                    "UPDATE bench_hot SET reserved = reserved + 1 "
                    "WHERE id = 1 AND on_hand - reserved >= 1 RETURNING reserved"
                )

        started = time.perf_counter()
        await asyncio.gather(*(task() for _ in range(size.clients)))
        elapsed = time.perf_counter() - started
        assert await pool.fetchval("SELECT reserved FROM bench_hot") == size.available
    finally:
        await pool.close()
    return attempts / elapsed


async def availability(admin_key: str, grpc_port: int, calls: int) -> tuple[float, float, int]:
    pb, pb_grpc = load_grpc_modules("retail_sync/inventory/v1/inventory.proto")
    request = pb.GetAvailabilityRequest(skus=[sku(s) for s in range(50)], nodes=[node(n) for n in range(20)])
    metadata = (("x-api-key", admin_key),)
    timings: list[float] = []
    async with grpc.aio.insecure_channel(f"127.0.0.1:{grpc_port}") as channel:
        stub = pb_grpc.InventoryServiceStub(channel)
        for _ in range(50):
            answer = await stub.GetAvailability(request, metadata=metadata)
        for _ in range(calls):
            started = time.perf_counter()
            answer = await stub.GetAvailability(request, metadata=metadata)
            timings.append((time.perf_counter() - started) * 1000)
    held = sum(1 for item in answer.skus for on_hand in item.on_hand_by_node if on_hand > 0)
    quantiles = statistics.quantiles(timings, n=100)
    return quantiles[49], quantiles[98], held


async def run(size: Size) -> dict[str, Any]:
    server_url = os.environ.get("RETAIL_SYNC_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    nats_url = os.environ.get("RETAIL_SYNC_NATS_URL", "nats://127.0.0.1:4222")
    namespace, db_name = f"b{uuid.uuid4().hex[:10]}", f"bench_inventory_{uuid.uuid4().hex[:8]}"
    database_url = await create_database(server_url, db_name)
    env, admin_key = service_env(server_url=server_url, database_url=database_url, nats_url=nats_url,
                                 namespace=namespace, module="inventory")  # fmt: skip
    grpc_port = free_port()
    env |= {"RETAIL_SYNC_INVENTORY_GRPC_PORT": str(grpc_port), "RETAIL_SYNC_LOG_LEVEL": "WARNING"}
    log_path = Path(tempfile.gettempdir()) / f"{db_name}.log"
    service = ServiceProcess("inventory", env, log_path)
    nc = await nats.connect(nats_url)
    topology = Topology(namespace)
    load_at_start = os.getloadavg()[0]
    try:
        await asyncio.to_thread(service.migrate)
        await seed_master_data(database_url, size)
        records, total_on_hand = movements(size)
        print(
            f"publishing {len(records):,} movements over {size.skus:,} skus x {size.nodes} nodes ...",
            flush=True,
        )
        await publish(nc, topology, records)
        ceiling = await raw_ceiling(nc, topology, database_url, len(records))
        print(f"raw ceiling (consume + batch insert, no domain logic): {ceiling:,.0f}/s", flush=True)
        ingest_rate, wall = await ingest(service, database_url, len(records))
        connection = await asyncpg.connect(libpq_url(database_url))
        stocked = await connection.fetchval("SELECT sum(on_hand) FROM positions")
        await connection.close()
        assert stocked == total_on_hand, f"positions hold {stocked}, the movements say {total_on_hand}"
        print(f"ingestion end to end: {ingest_rate:,.0f}/s ({ingest_rate / ceiling:.0%} of the ceiling; "
              f"{wall:.1f}s wall incl. start-up); positions match the movements", flush=True)  # fmt: skip
        events, waited = await drain_outbox(database_url)
        print(f"outbox relay: {events:,} events published, the last {waited:.1f}s after ingestion")
        hot = await hot_sku(service, admin_key, grpc_port, database_url, size)
        await drain_outbox(database_url)
        bare = await bare_update(database_url, size)
        print(f"hot sku: {hot['reservations_per_s']:,.0f} reservations/s over gRPC, {size.clients} clients, "
              f"{hot['accepted']:,} accepted / {hot['attempts']:,} attempts for {size.available:,} units, "
              f"oversold {hot['oversold']}; bare conditional UPDATE: {bare:,.0f}/s "
              f"({hot['reservations_per_s'] / bare:.0%})", flush=True)  # fmt: skip
        p50, p99, held = await availability(admin_key, grpc_port, size.availability_calls)
        print(
            f"GetAvailability 50 skus x 20 nodes ({held} positions held): p50 {p50:.2f} ms, p99 {p99:.2f} ms"
        )
    finally:
        service.stop()
        js = nc.jetstream()
        for info in await js.streams_info():
            if info.config.name and info.config.name.startswith(namespace.upper()):
                await js.delete_stream(info.config.name)
        await nc.close()
        await drop_database(server_url, db_name)
    return {
        "movements": size.movements,
        "ingest_per_s": round(ingest_rate),
        "raw_ceiling_per_s": round(ceiling),
        "ingest_ratio": round(ingest_rate / ceiling, 3),
        "reservations_per_s": round(hot["reservations_per_s"]),
        "bare_update_per_s": round(bare),
        "reservation_ratio": round(hot["reservations_per_s"] / bare, 3),
        "oversold": hot["oversold"],
        "availability_p50_ms": round(p50, 2),
        "availability_p99_ms": round(p99, 2),
        "load_avg_1m": [round(load_at_start, 2), round(os.getloadavg()[0], 2)],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="10,000 movements over 1,000 skus x 20 nodes")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(QUICK if args.quick else FULL))))


if __name__ == "__main__":
    main()
