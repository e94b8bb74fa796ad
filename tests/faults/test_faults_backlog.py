"""A consumer far behind: inventory is down while a backlog of movements piles up on its stream, then
catches up under a steady load with bounded memory (its RSS is sampled while it works through it).

The backlog size is RETAIL_SYNC_FAULTS_BACKLOG (default 20,000 so the suite stays inside its five-minute
budget on two cores; 100,000 was measured by hand, see the closing note of issue 8). Memory is bounded by
the consumer's fetch size (250 messages, one batch committing while the next is fetched), not by the
backlog: the peak while catching up must stay within RSS_HEADROOM_MIB of the same service's size when idle."""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from pathlib import Path

import nats
import pytest
from fault_checks import assert_exactly_once, count_check, plan_for
from fault_system import System
from messaging.topology import Topology
from retail_sync_cli.loadgen import LoadPlan

pytestmark = pytest.mark.integration
BACKLOG = int(os.environ.get("RETAIL_SYNC_FAULTS_BACKLOG", "20000"))
RSS_HEADROOM_MIB = 40


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for {pid}")


async def pending(system: System) -> int:
    client = await nats.connect(list(system.nats_urls))
    try:
        info = await client.jetstream().consumer_info(
            Topology().stream_name("INVENTORY"), "inventory_movements"
        )
        return info.num_pending + info.num_ack_pending
    finally:
        await client.close()


async def test_consumer_far_behind_catches_up_with_bounded_memory(system: System, run_id: str) -> None:
    backlog = LoadPlan(
        f"{run_id}b",
        sales=0,
        movements=BACKLOG,
        settlement_lines=0,
        duration_s=1.0,
        concurrency=500,
        ships=False,
        skus=tuple(f"{run_id}-B{n}" for n in range(50)),
    )
    steady = plan_for(run_id, duration_s=10.0)
    await system.seed_master_data(backlog)
    await system.seed_master_data(steady)
    inventory = system.services["inventory"]
    assert inventory.process is not None
    idle = rss_mib(inventory.process.pid)  # the same service, idle, before it falls behind
    started = time.monotonic()
    inventory.stop()
    piled = await system.load(backlog)
    assert len(piled.of("movement", accepted=True)) == BACKLOG
    assert await pending(system) >= BACKLOG
    published_s = time.monotonic() - started

    load = asyncio.create_task(system.load(steady))
    starting = asyncio.create_task(asyncio.to_thread(inventory.start))
    peak, restarted_at, recorded = 0.0, time.monotonic(), 0
    while recorded < BACKLOG and time.monotonic() - restarted_at < 180:
        if inventory.process is not None:  # sampled from the spawn on: it consumes before it is ready
            with contextlib.suppress(FileNotFoundError, AssertionError):
                peak = max(peak, rss_mib(inventory.process.pid))
        if starting.done():
            recorded = await system.scalar(
                "inventory",
                "select count(*) from movements where idempotency_key like $1",
                f"{backlog.run_id}-%",
            )
        await asyncio.sleep(0.1)
    await starting
    caught_up_s = time.monotonic() - restarted_at
    report = await load
    result = await count_check(
        system, f"consumer {BACKLOG:,} behind catches up", [piled, report], started=started
    )
    print(
        f"backlog {BACKLOG}: published in {published_s:.1f}s, caught up in {caught_up_s:.1f}s "
        f"({BACKLOG / caught_up_s:.0f}/s); RSS idle {idle:.0f} MiB, peak while catching up {peak:.0f} MiB"
    )
    assert_exactly_once(result)
    assert peak - idle < RSS_HEADROOM_MIB, f"RSS grew from {idle:.0f} to {peak:.0f} MiB"
