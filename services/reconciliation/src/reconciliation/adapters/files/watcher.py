"""Watched folder: files dropped as `<inbox>/<legal_entity_id>/<name>` are taken like an upload.

The kind (settlement or bank) and the format are recognised from the content. A file is moved to
`processed/` with its outcome beside it as `<name>.outcome.json` (taken or duplicate), or to
`rejected/` with every bad line in `<name>.outcome.json`. Names starting with `.` are in-flight copies
and are left alone.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime
from pathlib import Path

import msgspec
from retail_platform.logging import get_logger

from reconciliation.application.use_cases.ingest_file import IngestFile

log = get_logger(__name__)
_SKIP = {"processed", "rejected"}


class FolderWatcher:
    def __init__(self, inbox: Path, ingest_file: IngestFile, poll_s: float = 1.0) -> None:
        self._inbox = inbox
        self._ingest_file = ingest_file
        self._poll_s = poll_s

    async def run(self, stop: asyncio.Event) -> None:
        self._inbox.mkdir(parents=True, exist_ok=True)
        while not stop.is_set():
            try:
                await self.scan_once()
            except Exception:
                log.exception("recon_folder_scan_failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self._poll_s)

    async def scan_once(self) -> int:
        done = 0
        for entity_folder in sorted(p for p in self._inbox.iterdir() if p.is_dir()):
            for path in sorted(entity_folder.iterdir()):
                if path.is_file() and not path.name.startswith(".") and path.name not in _SKIP:
                    await self._take(entity_folder.name, path)
                    done += 1
        return done

    async def _take(self, legal_entity_id: str, path: Path) -> None:
        content = await asyncio.to_thread(path.read_bytes)
        outcome = await self._ingest_file(
            content, filename=path.name, legal_entity_id=legal_entity_id, source=f"folder:{path.name}"
        )
        folder = "rejected" if outcome.status == "rejected" else "processed"
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        target = path.parent / folder / f"{stamp}_{path.name}"
        await asyncio.to_thread(_move, path, target, msgspec.json.encode(outcome))
        log.info("recon_file_dropped", file=path.name, status=outcome.status, problems=len(outcome.problems))


def _move(path: Path, target: Path, outcome: bytes) -> None:
    target.parent.mkdir(exist_ok=True)
    path.rename(target)
    target.with_name(target.name + ".outcome.json").write_bytes(outcome)
