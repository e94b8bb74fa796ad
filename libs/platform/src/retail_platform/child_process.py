"""A helper process of a service (e.g. its outbox relay), started, restarted and stopped with it.

Python runs one thread of Python at a time per process: work that shares nothing with request
handling but the database (an outbox relay) takes CPU from the consumers and the API when it runs
in their process, and runs beside them on another core when it has its own. The child is started
with the parent's environment plus ``RETAIL_SYNC_PARENT_PID``, is restarted when it exits on its
own (after a pause that grows while it keeps exiting), is stopped with SIGTERM (SIGKILL after a
grace period), and stops itself when its parent is gone (:func:`stop_when_orphaned`), so a parent
killed with SIGKILL leaves nothing running.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import time
from collections.abc import Mapping, Sequence

from retail_platform.logging import get_logger

PARENT_PID_ENV = "RETAIL_SYNC_PARENT_PID"
log = get_logger(__name__)


class ChildProcess:
    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        env: Mapping[str, str] | None = None,
        restart_after_s: float = 1.0,
        poll_s: float = 0.25,
        stop_grace_s: float = 10.0,
        max_restart_after_s: float = 30.0,
        healthy_after_s: float = 60.0,
    ) -> None:
        self.name = name
        self._argv = list(argv)
        self._env = dict(os.environ if env is None else env)
        self._restart_after_s = restart_after_s
        self._poll_s = poll_s
        self._stop_grace_s = stop_grace_s
        self._max_restart_after_s = max_restart_after_s
        self._healthy_after_s = healthy_after_s
        self._process: subprocess.Popen[bytes] | None = None
        self._started_at = 0.0
        self.starts = 0
        self.next_restart_after_s = restart_after_s
        """The pause before the next restart: doubled after each exit (up to ``max_restart_after_s``),
        back to ``restart_after_s`` once a child has run ``healthy_after_s``, so a child that keeps
        crashing is not started again every second."""

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> None:
        env = self._env | {PARENT_PID_ENV: str(os.getpid())}
        self._process = subprocess.Popen(self._argv, env=env)  # output goes where the parent's goes
        self._started_at = time.monotonic()
        self.starts += 1
        log.info("child_process_started", child=self.name, pid=self._process.pid)

    async def supervise(self, stop: asyncio.Event) -> None:
        """Keep the child running until ``stop`` is set, then stop it."""
        try:
            while not stop.is_set():
                if not self.alive:
                    if self._process is not None:
                        if time.monotonic() - self._started_at >= self._healthy_after_s:
                            self.next_restart_after_s = self._restart_after_s
                        pause = self.next_restart_after_s
                        self.next_restart_after_s = min(pause * 2, self._max_restart_after_s)
                        log.error(
                            "child_process_exited",
                            child=self.name, code=self._process.returncode, restart_in_s=pause,
                        )  # fmt: skip
                        await _pause(stop, pause)
                        if stop.is_set():
                            break
                    self.start()
                await _pause(stop, self._poll_s)
        finally:
            await asyncio.to_thread(self.stop)

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=self._stop_grace_s)
        except subprocess.TimeoutExpired:
            log.warning("child_process_killed", child=self.name, pid=process.pid)
            process.kill()
            process.wait()


async def stop_when_orphaned(stop: asyncio.Event, poll_s: float = 1.0) -> None:
    """Set ``stop`` once the process that started this one (``RETAIL_SYNC_PARENT_PID``) is gone;
    returns at once when this process was not started by a :class:`ChildProcess`."""
    parent = os.environ.get(PARENT_PID_ENV)
    if not parent:
        return
    while not stop.is_set():
        if os.getppid() != int(parent):
            log.warning("parent_process_gone", parent=parent)
            stop.set()
            return
        await _pause(stop, poll_s)


async def _pause(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
