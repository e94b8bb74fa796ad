"""Long-running loops of a service (outbox relay, consumers, folder watchers), started and stopped with it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from retail_platform.logging import get_logger

Loop = Callable[[asyncio.Event], Awaitable[None]]
log = get_logger(__name__)


class BackgroundLoops:
    """Each loop runs until the shared stop event is set; `stop()` waits for them to finish cleanly."""

    def __init__(self) -> None:
        self._stop = asyncio.Event()
        self._tasks: dict[str, asyncio.Task[None]] = {}

    def start(self, name: str, loop: Loop) -> None:
        self._tasks[name] = asyncio.create_task(self._guarded(name, loop), name=name)

    async def _guarded(self, name: str, loop: Loop) -> None:
        while not self._stop.is_set():
            try:
                await loop(self._stop)
            except Exception:
                log.exception("background_loop_crashed", loop=name)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), 1.0)

    def running(self, name: str) -> bool:
        task = self._tasks.get(name)
        return task is not None and not task.done()

    async def stop(self, timeout_s: float = 15.0) -> None:
        self._stop.set()
        if not self._tasks:
            return
        _, pending = await asyncio.wait(self._tasks.values(), timeout=timeout_s)
        for task in pending:
            task.cancel()
        self._tasks.clear()
