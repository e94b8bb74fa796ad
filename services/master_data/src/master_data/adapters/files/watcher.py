"""Watched folder: ERP exports dropped as `<inbox>/<record_type>/<name>.csv|json` are imported.

A file is moved to `processed/` with its outcomes written beside it as `<name>.outcomes.json`, or to
`rejected/` with `<name>.error.json` when it cannot be read at all. Dropping the same file again changes
nothing: unchanged records keep their version.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime
from pathlib import Path

import msgspec
from canon.errors import ValidationError
from canon.master_data import MASTER_RECORD_TYPES
from retail_platform.logging import get_logger

from master_data.application.import_file import parse_import
from master_data.application.use_cases.bulk_upsert import BulkUpsert

log = get_logger(__name__)
SUFFIXES = (".csv", ".json")


class FolderWatcher:
    def __init__(self, inbox: Path, bulk_upsert: BulkUpsert, poll_s: float = 1.0) -> None:
        self._inbox = inbox
        self._bulk_upsert = bulk_upsert
        self._poll_s = poll_s

    async def run(self, stop: asyncio.Event) -> None:
        for record_type in MASTER_RECORD_TYPES:
            (self._inbox / record_type).mkdir(parents=True, exist_ok=True)
        while not stop.is_set():
            await self.scan_once()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self._poll_s)

    async def scan_once(self) -> int:
        done = 0
        for record_type in MASTER_RECORD_TYPES:
            folder = self._inbox / record_type
            for path in sorted(folder.glob("*")) if folder.is_dir() else []:
                if path.is_file() and path.suffix.lower() in SUFFIXES and not path.name.startswith("."):
                    await self._import(record_type, path)
                    done += 1
        return done

    async def _import(self, record_type: str, path: Path) -> None:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        try:
            rows = parse_import(record_type, path.name, await asyncio.to_thread(path.read_bytes))
            result = await self._bulk_upsert(
                record_type,
                rows,
                source=f"folder:{path.name}",
                strict_types=path.suffix.lower() == ".json",
            )
        except ValidationError as error:
            target = _move(path, "rejected", stamp)
            report = {"file": path.name, "field": error.field, "reason": error.reason}
            target.with_name(target.name + ".error.json").write_bytes(msgspec.json.encode(report))
            log.warning("master_file_rejected", file=path.name, field=error.field, reason=error.reason)
            return
        target = _move(path, "processed", stamp)
        target.with_name(target.name + ".outcomes.json").write_bytes(msgspec.json.encode(result))
        log.info("master_file_imported", file=path.name, accepted=result.accepted, rejected=result.rejected)


def _move(path: Path, folder: str, stamp: str) -> Path:
    target = path.parent / folder / f"{stamp}_{path.name}"
    target.parent.mkdir(exist_ok=True)
    return path.rename(target)
