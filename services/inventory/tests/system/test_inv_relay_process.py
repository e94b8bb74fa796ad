"""The outbox relay as a child process of the serving one (OUTBOX_RELAY=process, the default):
killed, it is started again and publishes what was written meanwhile; the serving process killed
with SIGKILL, it stops by itself. Processes are found through /proc (Linux)."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.integration
UNPUBLISHED = "select count(*) from outbox where published_at is null"


def relay_children(parent: int) -> list[int]:
    """Pids of the live `python -m inventory relay` processes whose parent is ``parent``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        state, ppid = stat[stat.rindex(")") + 2 :].split()[:2]
        if int(ppid) == parent and state != "Z" and cmdline[-3:-1] == [b"inventory", b"relay"]:
            found.append(int(entry.name))
    return found


async def wait_until(condition: Any, timeout_s: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.1)
    return True


async def test_a_killed_relay_is_restarted_and_publishes_what_was_written_meanwhile(inv: Any) -> None:
    service = inv.service.process.process
    assert await wait_until(lambda: len(relay_children(service.pid)) == 1)
    (relay,) = relay_children(service.pid)
    os.kill(relay, 9)
    async with inv.http() as api:  # written while no relay runs: its events wait in the outbox
        body = await api.post("/v1/movements/batches", json={"records": [
            {"type": "receipt", "idempotency_key": f"relay-{relay}", "source_system": "wms",
             "occurred_at": "2026-01-04T10:00:00Z", "sku": "RELAY", "node": "DC1", "qty": 3},
        ]})  # fmt: skip
    assert body.json()["accepted"] == 1
    assert await wait_until(lambda: relay_children(service.pid) not in ([], [relay]))
    assert await inv.wait_for(UNPUBLISHED, 0) == 0
    async with inv.http() as api:
        assert (await api.get("/health/ready")).status_code == 200


async def test_the_relay_stops_by_itself_when_the_serving_process_is_killed(inv: Any) -> None:
    service = inv.service.process.process
    assert await wait_until(lambda: len(relay_children(service.pid)) == 1)
    (relay,) = relay_children(service.pid)
    inv.service.process.kill()
    try:
        assert await wait_until(lambda: not Path(f"/proc/{relay}").exists() or _zombie(relay), 10.0)
    finally:
        inv.service.process.start()  # the other tests of the session share the service
    assert await wait_until(lambda: len(relay_children(inv.service.process.process.pid)) == 1)


def _zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat[stat.rindex(")") + 2] == "Z"
