"""Watched folder for snapshot files: `<inbox>/snapshots/<source>/<name>.csv` (source: wms, erp,
store_count; columns sku, node, counted_qty, as_of) is balanced line by line.

A file is moved to `processed/` with its outcomes beside it as `<name>.outcomes.json`, or to
`rejected/` with `<name>.error.json` when it cannot be read at all (or is over the size limit, in
which case it is not read). Dropping the same file again changes nothing: each snapshot line is
balanced once. The loop itself is retail_platform.watched_folder: names starting with `.` are left
alone, and a file whose balancing fails unexpectedly stays for the next scan.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import get_args

import msgspec
from canon.errors import ValidationError
from canon.inventory import SnapshotSource
from retail_platform.logging import get_logger
from retail_platform.watched_folder import DEFAULT_MAX_FILE_BYTES, FileOutcome, WatchedFolder

from inventory.adapters import metrics
from inventory.application.snapshot_file import parse_snapshot_csv
from inventory.application.use_cases.balance_snapshot import BalanceSnapshot

log = get_logger(__name__)
SOURCES: tuple[SnapshotSource, ...] = get_args(SnapshotSource)
SUFFIXES = (".csv",)


class SnapshotFolderWatcher:
    def __init__(
        self,
        inbox: Path,
        balance_snapshot: BalanceSnapshot,
        poll_s: float = 1.0,
        max_bytes: int = DEFAULT_MAX_FILE_BYTES,
    ) -> None:
        self._root = inbox / "snapshots"
        self._balance_snapshot = balance_snapshot
        self._folder = WatchedFolder(
            self._root, self._take, folders=SOURCES, suffixes=SUFFIXES, max_bytes=max_bytes, poll_s=poll_s
        )

    async def run(self, stop: asyncio.Event) -> None:
        await self._folder.run(stop)

    async def scan_once(self) -> int:
        return await self._folder.scan_once()

    async def _take(self, folder: str, path: Path, content: bytes) -> FileOutcome:
        source: SnapshotSource = next(s for s in SOURCES if s == folder)
        try:
            lines = parse_snapshot_csv(content, source, None)
        except ValidationError as error:
            report = {"file": path.name, "field": error.field, "reason": error.reason}
            log.warning("snapshot_file_rejected", file=path.name, field=error.field, reason=error.reason)
            return FileOutcome(rejected=True, report=msgspec.json.encode(report), report_suffix=".error.json")
        result = metrics.count_snapshot_lines(await self._balance_snapshot(lines))
        log.info("snapshot_file_balanced", file=path.name, lines=result.lines, exceptions=result.exceptions)
        return FileOutcome(rejected=False, report=msgspec.json.encode(result), report_suffix=".outcomes.json")
