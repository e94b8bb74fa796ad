"""Watched folder for micro-batches: `<inbox>/transactions/<name>.json|.jsonl|.ndjson` (canonical).

A file is moved to `processed/` with its per-record outcomes beside it as `<name>.outcomes.json`.
Dropping the same file again changes nothing: every record is then a duplicate.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime
from pathlib import Path

import msgspec
from retail_platform.logging import get_logger

from order_ledger.application.intake import canonical_submissions
from order_ledger.application.use_cases.record_transactions import RecordTransactions

log = get_logger(__name__)
SUFFIXES = (".json", ".jsonl", ".ndjson")


class FolderWatcher:
    def __init__(self, inbox: Path, record: RecordTransactions, poll_s: float = 1.0) -> None:
        self._folder = inbox / "transactions"
        self._record = record
        self._poll_s = poll_s

    async def run(self, stop: asyncio.Event) -> None:
        self._folder.mkdir(parents=True, exist_ok=True)
        while not stop.is_set():
            await self.scan_once()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self._poll_s)

    async def scan_once(self) -> int:
        done = 0
        for path in sorted(self._folder.glob("*")) if self._folder.is_dir() else []:
            if path.is_file() and path.suffix.lower() in SUFFIXES and not path.name.startswith("."):
                await self._import(path)
                done += 1
        return done

    async def _import(self, path: Path) -> None:
        submissions = canonical_submissions(await asyncio.to_thread(path.read_bytes), path.name)
        result = await self._record(submissions, received_via=f"file:{path.name}")
        await asyncio.to_thread(_archive, path, msgspec.json.encode(result))
        log.info("sales_file_imported", file=path.name, posted=result.posted, rejected=result.rejected)


def _archive(path: Path, outcomes: bytes) -> None:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    target = path.parent / "processed" / f"{stamp}_{path.name}"
    target.parent.mkdir(exist_ok=True)
    path.rename(target)
    target.with_name(target.name + ".outcomes.json").write_bytes(outcomes)
