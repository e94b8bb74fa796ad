"""The ERP export as a background loop: batch, collect acks, send what is due, every interval."""

from __future__ import annotations

import asyncio
import contextlib

from retail_platform.logging import get_logger

from order_ledger.application.use_cases.export_journal import ExportJournal

log = get_logger(__name__)


def export_loop(export_journal: ExportJournal, interval_s: float):  # type: ignore[no-untyped-def]
    async def run(stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await export_journal.run_once()
            except Exception:
                log.exception("erp_export_failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), interval_s)

    return run
