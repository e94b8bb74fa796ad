"""A watched folder: files dropped into `<root>/<folder>/` are taken one at a time, oldest name first.

Shared by every service that takes files (master-data exports, stock snapshots, sales files, settlement
and bank files). Rules an integration team can rely on:
- names starting with `.` are copies still in flight and are left alone (write `.x.csv`, then rename);
- a file larger than `max_bytes` is not read: it goes to `rejected/` with `<name>.error.json` naming the
  limit, so one oversized drop cannot exhaust the service's memory;
- a taken file goes to `processed/` (or `rejected/` when the service refused it) under a UTC time stamp,
  with the service's report beside it;
- when taking a file fails unexpectedly (the database is down, say), it stays where it is and is tried
  again on the next scan; nothing is moved before the service has committed what it took.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import msgspec

from retail_platform.logging import get_logger

log = get_logger(__name__)
DEFAULT_MAX_FILE_BYTES = 512 * 1024 * 1024
ARCHIVES = frozenset({"processed", "rejected"})


class FileOutcome(msgspec.Struct, frozen=True, kw_only=True):
    """What the service made of one file: where it goes and the report written beside it."""

    rejected: bool
    report: bytes
    """JSON, written as `<stamped name><report_suffix>`."""
    report_suffix: str = ".outcomes.json"


TakeFile = Callable[[str, Path, bytes], Awaitable[FileOutcome]]
"""(the folder's name under the root, the file's path, its bytes) -> the outcome."""


class WatchedFolder:
    def __init__(
        self,
        root: Path,
        take: TakeFile,
        *,
        folders: Sequence[str] | None = None,
        suffixes: Sequence[str] | None = None,
        max_bytes: int = DEFAULT_MAX_FILE_BYTES,
        poll_s: float = 1.0,
    ) -> None:
        """`folders`: the sub-folders watched (created at start); None: every sub-folder found.
        `suffixes`: the file name endings taken (lower case); None: every file."""
        self._root = root
        self._take = take
        self._folders = tuple(folders) if folders is not None else None
        self._suffixes = tuple(suffixes) if suffixes is not None else None
        self._max_bytes = max_bytes
        self._poll_s = poll_s

    async def run(self, stop: asyncio.Event) -> None:
        self._root.mkdir(parents=True, exist_ok=True)
        for folder in self._folders or ():
            (self._root / folder).mkdir(parents=True, exist_ok=True)
        while not stop.is_set():
            try:
                await self.scan_once()
            except Exception:
                log.exception("watched_folder_scan_failed", root=str(self._root))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self._poll_s)

    def _watched(self) -> list[Path]:
        if self._folders is not None:
            return [self._root / folder for folder in self._folders]
        if not self._root.is_dir():
            return []
        return sorted(path for path in self._root.iterdir() if path.is_dir() and path.name not in ARCHIVES)

    def _wanted(self, path: Path) -> bool:
        if not path.is_file() or path.name.startswith("."):
            return False
        return self._suffixes is None or path.name.lower().endswith(self._suffixes)

    async def scan_once(self) -> int:
        """Takes every file waiting now; returns how many were taken."""
        done = 0
        for folder in self._watched():
            for path in sorted(folder.iterdir()) if folder.is_dir() else []:
                if self._wanted(path):
                    await self._take_one(folder.name, path)
                    done += 1
        return done

    async def _take_one(self, folder: str, path: Path) -> None:
        size = (await asyncio.to_thread(path.stat)).st_size
        if size > self._max_bytes:
            reason = f"the file is {size} bytes; the limit is {self._max_bytes} bytes"
            report = msgspec.json.encode({"file": path.name, "field": "file", "reason": reason})
            outcome = FileOutcome(rejected=True, report=report, report_suffix=".error.json")
            log.warning("watched_file_too_large", file=path.name, bytes=size, limit=self._max_bytes)
        else:
            outcome = await self._take(folder, path, await asyncio.to_thread(path.read_bytes))
        await asyncio.to_thread(_archive, path, outcome)


def _archive(path: Path, outcome: FileOutcome) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    target = path.parent / ("rejected" if outcome.rejected else "processed") / f"{stamp}_{path.name}"
    target.parent.mkdir(exist_ok=True)
    path.rename(target)
    target.with_name(target.name + outcome.report_suffix).write_bytes(outcome.report)
    return target
