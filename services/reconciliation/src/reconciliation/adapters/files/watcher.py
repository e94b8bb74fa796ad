"""Watched folder: files dropped as `<inbox>/<legal_entity_id>/<name>` are taken like an upload.

The kind (settlement or bank) and the format are recognised from the content. A file is moved to
`processed/` with its outcome beside it as `<name>.outcome.json` (taken or duplicate), or to
`rejected/` with every bad line in `<name>.outcome.json`. The loop is retail_platform.watched_folder:
names starting with `.` are in-flight copies and are left alone; a file over the size limit goes to
`rejected/` unread with `<name>.error.json`; a file whose intake fails unexpectedly (the database is
down, say) stays where it is and is tried again on the next scan.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import msgspec
from retail_platform.logging import get_logger
from retail_platform.watched_folder import DEFAULT_MAX_FILE_BYTES, FileOutcome, WatchedFolder

from reconciliation.application.use_cases.ingest_file import IngestFile

log = get_logger(__name__)
OUTCOME_SUFFIX = ".outcome.json"


class FolderWatcher:
    def __init__(
        self,
        inbox: Path,
        ingest_file: IngestFile,
        poll_s: float = 1.0,
        max_bytes: int = DEFAULT_MAX_FILE_BYTES,
    ) -> None:
        self._inbox = inbox
        self._ingest_file = ingest_file
        # every sub-folder of the inbox is a legal entity (processed/ and rejected/ are not)
        self._folder = WatchedFolder(inbox, self._take, max_bytes=max_bytes, poll_s=poll_s)

    async def run(self, stop: asyncio.Event) -> None:
        await self._folder.run(stop)

    async def scan_once(self) -> int:
        return await self._folder.scan_once()

    async def _take(self, legal_entity_id: str, path: Path, content: bytes) -> FileOutcome:
        outcome = await self._ingest_file(
            content, filename=path.name, legal_entity_id=legal_entity_id, source=f"folder:{path.name}"
        )
        log.info("recon_file_dropped", file=path.name, status=outcome.status, problems=len(outcome.problems))
        return FileOutcome(
            rejected=outcome.status == "rejected",
            report=msgspec.json.encode(outcome),
            report_suffix=OUTCOME_SUFFIX,
        )
