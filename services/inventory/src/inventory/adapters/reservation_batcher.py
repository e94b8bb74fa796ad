"""Group reservations that arrive together into one transaction (group commit on a hot sku).

A flash sale sends hundreds of concurrent reservations at one position; one transaction each means
one row-lock hand-over and one commit each. The batcher queues them and a worker records all that
are waiting in one ReserveStockBatch. Correctness does not depend on it: each batch locks its
position rows in PostgreSQL (so several workers, processes or replicas never oversell); the
grouping only saves round trips and commits.
"""

from __future__ import annotations

import asyncio
import contextlib

from inventory.adapters import metrics
from inventory.application.use_cases.reserve_stock import ReserveStockCmd
from inventory.application.use_cases.reserve_stock_batch import ReserveOutcome, ReserveStockBatch

Waiting = tuple[ReserveStockCmd, asyncio.Future[ReserveOutcome]]


class ReservationBatcher:
    def __init__(self, reserve_batch: ReserveStockBatch, max_batch: int = 500) -> None:
        self._reserve_batch = reserve_batch
        self._max_batch = max_batch
        self._queue: asyncio.Queue[Waiting] = asyncio.Queue()

    async def reserve(self, cmd: ReserveStockCmd) -> ReserveOutcome:
        future: asyncio.Future[ReserveOutcome] = asyncio.get_running_loop().create_future()
        await self._queue.put((cmd, future))
        return await future

    async def run(self, stop: asyncio.Event, poll_s: float = 0.25) -> None:
        """A worker: take everything waiting (up to ``max_batch``), record it, answer each caller."""
        while not stop.is_set():
            try:
                first = await asyncio.wait_for(self._queue.get(), poll_s)
            except TimeoutError:
                continue
            batch = [first]
            while len(batch) < self._max_batch and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            await self._record(batch)
        self._fail_waiting(RuntimeError("the service is stopping"))

    async def _record(self, batch: list[Waiting]) -> None:
        metrics.RESERVATION_BATCH_SIZE.observe(len(batch))
        try:
            outcomes = await self._reserve_batch([cmd for cmd, _ in batch])
        except Exception as error:  # the database is unreachable: every caller gets the error
            for _, future in batch:
                if not future.done():
                    future.set_exception(error)
            return
        for (_, future), outcome in zip(batch, outcomes, strict=True):
            metrics.count_reservation(outcome)
            if not future.done():  # the caller may have gone away
                future.set_result(outcome)

    def _fail_waiting(self, error: Exception) -> None:
        while not self._queue.empty():
            _, future = self._queue.get_nowait()
            with contextlib.suppress(asyncio.InvalidStateError):
                future.set_exception(error)
