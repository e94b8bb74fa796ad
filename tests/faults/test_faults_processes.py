"""Processes and servers dying under a steady load: kill -9 of each service, a NATS restart, a
PostgreSQL crash. Each case ends with the full count check (fault_checks)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import pytest
from fault_checks import assert_exactly_once, count_check, plan_for
from fault_servers import Servers
from fault_system import SERVICES, System
from retail_sync_cli.loadgen import LoadPlan, LoadReport

pytestmark = pytest.mark.integration

Fault = Callable[["asyncio.Task[LoadReport]"], Awaitable[None]]


async def survives(system: System, plan: LoadPlan, case: str, fault: Fault) -> None:
    """Run the load, do the fault while it runs (the fault gets the load's task), then count everything."""
    await system.seed_master_data(plan)
    started = time.monotonic()
    load = asyncio.create_task(system.load(plan))
    await fault(load)
    report = await load
    result = await count_check(system, case, [report], started=started)
    assert_exactly_once(result)


async def test_kill_9_each_service_mid_load_then_restart(system: System, run_id: str) -> None:
    async def kill_each(load: asyncio.Task[LoadReport]) -> None:
        # One after the other while the load runs, each restarting while the next dies; the services
        # whose consumers keep the kit's 30 s AckWait first, so their unacked batches come back before
        # the load ends.
        restarts = []
        for name in ("reconciliation", "promotion", "order_ledger", "inventory", "master_data"):
            await asyncio.sleep(1.5)
            assert not load.done(), f"the load ended before {name} was killed"
            system.kill(name)
            restarts.append(asyncio.create_task(asyncio.to_thread(system.restart, name)))
        await asyncio.gather(*restarts)
        assert sorted(SERVICES) == sorted(name for name in system.services)

    plan = plan_for(run_id, duration_s=15.0)
    await survives(system, plan, "kill -9 each service mid-load, restart", kill_each)


async def test_nats_restart_mid_load(system: System, servers: Servers, run_id: str) -> None:
    async def restart_nats(load: asyncio.Task[LoadReport]) -> None:
        await asyncio.sleep(4.0)
        await asyncio.to_thread(servers.nats.kill)
        await asyncio.sleep(2.0)
        assert not load.done(), "the load ended before NATS came back"
        await asyncio.to_thread(servers.nats.start)

    await survives(system, plan_for(run_id), "NATS server kill -9 and restart mid-load", restart_nats)


async def test_postgres_crash_mid_load(system: System, servers: Servers, run_id: str) -> None:
    async def crash_postgres(load: asyncio.Task[LoadReport]) -> None:
        await asyncio.sleep(4.0)
        await asyncio.to_thread(servers.postgres.crash)
        await asyncio.sleep(3.0)
        assert not load.done(), "the load ended before PostgreSQL came back"
        await asyncio.to_thread(servers.postgres.restart_after_crash)

    case = "PostgreSQL immediate shutdown and restart mid-load"
    await survives(system, plan_for(run_id), case, crash_postgres)
