"""ChildProcess on real processes: restarted when it exits on its own, stopped with its parent's stop,
and gone by itself when its parent is killed with SIGKILL."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from retail_platform.child_process import ChildProcess

ORPHAN_AWARE_CHILD = textwrap.dedent(
    """
    import asyncio, sys
    from pathlib import Path
    from retail_platform.child_process import stop_when_orphaned

    async def main():
        Path(sys.argv[1]).write_text("started")
        stop = asyncio.Event()
        await stop_when_orphaned(stop, poll_s=0.1)
        Path(sys.argv[1]).write_text("orphaned")

    asyncio.run(main())
    """
)
PARENT = textwrap.dedent(
    """
    import sys, time
    from retail_platform.child_process import ChildProcess

    child = ChildProcess("child", [sys.executable, "-c", sys.argv[1], sys.argv[2]])
    child.start()
    print("PID", child.pid, flush=True)
    time.sleep(60)
    """
)


def wait_until(condition: object, timeout_s: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def gone(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat[stat.rindex(")") + 2] == "Z"  # exited, not yet reaped by its new parent


async def test_a_child_that_exits_is_started_again_and_stopped_with_the_loop() -> None:
    child = ChildProcess("short", [sys.executable, "-c", "pass"], restart_after_s=0.05, poll_s=0.05)
    stop = asyncio.Event()
    supervising = asyncio.create_task(child.supervise(stop))
    deadline = time.monotonic() + 20
    while child.starts < 3 and time.monotonic() < deadline:  # noqa: ASYNC110 - polling the supervisor
        await asyncio.sleep(0.05)
    assert child.starts >= 3
    stop.set()
    await supervising
    assert not child.alive


async def test_a_child_that_keeps_exiting_is_started_again_ever_more_slowly() -> None:
    child = ChildProcess(
        "crashing", [sys.executable, "-c", "raise SystemExit(3)"], restart_after_s=0.05, poll_s=0.02,
        max_restart_after_s=0.4,
    )  # fmt: skip
    stop = asyncio.Event()
    supervising = asyncio.create_task(child.supervise(stop))
    pauses = []
    deadline = time.monotonic() + 20
    while child.starts < 6 and time.monotonic() < deadline:
        if child.next_restart_after_s not in pauses:
            pauses.append(child.next_restart_after_s)
        await asyncio.sleep(0.005)
    stop.set()
    await supervising
    assert pauses == [0.05, 0.1, 0.2, 0.4]  # doubled after each exit, up to the limit


async def test_stop_terminates_a_running_child() -> None:
    child = ChildProcess("sleeper", [sys.executable, "-c", "import time; time.sleep(60)"])
    stop = asyncio.Event()
    supervising = asyncio.create_task(child.supervise(stop))
    while child.pid is None:  # noqa: ASYNC110 - polling the supervisor
        await asyncio.sleep(0.01)
    pid = child.pid
    stop.set()
    await supervising
    assert gone(pid)
    assert child.starts == 1


def test_the_child_stops_itself_when_its_parent_is_killed(tmp_path: Path) -> None:
    marker = tmp_path / "child.txt"
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, ORPHAN_AWARE_CHILD, str(marker)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert parent.stdout is not None
        line = parent.stdout.readline()
        while not line.startswith("PID "):  # the parent's log lines come first
            line = parent.stdout.readline()
        child_pid = int(line.split()[1])
        assert wait_until(lambda: marker.exists() and marker.read_text() == "started")
        assert not gone(child_pid)
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()
        assert wait_until(lambda: gone(child_pid))
        assert marker.read_text() == "orphaned"
    finally:
        parent.kill()
        parent.wait()


async def test_a_process_not_started_as_a_child_does_not_watch_for_its_parent() -> None:
    os.environ.pop("RETAIL_SYNC_PARENT_PID", None)
    from retail_platform.child_process import stop_when_orphaned

    stop = asyncio.Event()
    await asyncio.wait_for(stop_when_orphaned(stop), 1.0)  # returns at once
    assert not stop.is_set()
