"""Watched folder for snapshot files: `<inbox>/snapshots/<source>/<name>.csv` (source: wms, erp,
store_count; columns sku, node, counted_qty, as_of) is balanced line by line.

A file is moved to `processed/` with its outcomes beside it as `<name>.outcomes.json`, or to
`rejected/` with `<name>.error.json` when it cannot be read at all. Dropping the same file again
changes nothing: each snapshot line is balanced once.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime
from pathlib import Path
from typing import get_args

import msgspec
from canon.errors import ValidationError
from canon.inventory import SnapshotSource
from retail_platform.logging import get_logger

from inventory.adapters import metrics
from inventory.application.snapshot_file import parse_snapshot_csv
from inventory.application.use_cases.balance_snapshot import BalanceSnapshot

log = get_logger(__name__)
SOURCES: tuple[SnapshotSource, ...] = get_args(SnapshotSource)


class SnapshotFolderWatcher:
    def __init__(self, inbox: Path, balance_snapshot: BalanceSnapshot, poll_s: float = 1.0) -> None:
        self._root = inbox / "snapshots"
        self._balance_snapshot = balance_snapshot
        self._poll_s = poll_s

    async def run(self, stop: asyncio.Event) -> None:
        for source in SOURCES:
            (self._root / source).mkdir(parents=True, exist_ok=True)
        while not stop.is_set():
            await self.scan_once()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self._poll_s)

    async def scan_once(self) -> int:
        done = 0
        for source in SOURCES:
            folder = self._root / source
            for path in sorted(folder.glob("*.csv")) if folder.is_dir() else []:
                if path.is_file() and not path.name.startswith("."):
                    await self._balance(source, path)
                    done += 1
        return done

    async def _balance(self, source: SnapshotSource, path: Path) -> None:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        try:
            lines = parse_snapshot_csv(await asyncio.to_thread(path.read_bytes), source, None)
        except ValidationError as error:
            target = _move(path, "rejected", stamp)
            report = {"file": path.name, "field": error.field, "reason": error.reason}
            target.with_name(target.name + ".error.json").write_bytes(msgspec.json.encode(report))
            log.warning("snapshot_file_rejected", file=path.name, field=error.field, reason=error.reason)
            return
        result = metrics.count_snapshot_lines(await self._balance_snapshot(lines))
        target = _move(path, "processed", stamp)
        target.with_name(target.name + ".outcomes.json").write_bytes(msgspec.json.encode(result))
        log.info("snapshot_file_balanced", file=path.name, lines=result.lines, exceptions=result.exceptions)


def _move(path: Path, folder: str, stamp: str) -> Path:
    target = path.parent / folder / f"{stamp}_{path.name}"
    target.parent.mkdir(exist_ok=True)
    return path.rename(target)
