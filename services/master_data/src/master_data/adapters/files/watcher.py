"""Watched folder: ERP exports dropped as `<inbox>/<record_type>/<name>.csv|json` are imported.

A file is moved to `processed/` with its outcomes written beside it as `<name>.outcomes.json`, or to
`rejected/` with `<name>.error.json` when it cannot be read at all (or is over the size limit).
Dropping the same file again changes nothing: unchanged records keep their version.
"""

from __future__ import annotations

from pathlib import Path

import msgspec
from canon.errors import ValidationError
from canon.master_data import MASTER_RECORD_TYPES
from retail_platform.logging import get_logger
from retail_platform.watched_folder import DEFAULT_MAX_FILE_BYTES, FileOutcome, WatchedFolder

from master_data.application.import_file import parse_import
from master_data.application.use_cases.bulk_upsert import BulkUpsert

log = get_logger(__name__)
SUFFIXES = (".csv", ".json")


def master_data_folder(
    inbox: Path, bulk_upsert: BulkUpsert, *, max_bytes: int = DEFAULT_MAX_FILE_BYTES, poll_s: float = 1.0
) -> WatchedFolder:
    async def take(record_type: str, path: Path, content: bytes) -> FileOutcome:
        try:
            rows = parse_import(record_type, path.name, content)
            result = await bulk_upsert(
                record_type,
                rows,
                source=f"folder:{path.name}",
                strict_types=path.suffix.lower() == ".json",
            )
        except ValidationError as error:
            report = {"file": path.name, "field": error.field, "reason": error.reason}
            log.warning("master_file_rejected", file=path.name, field=error.field, reason=error.reason)
            return FileOutcome(rejected=True, report=msgspec.json.encode(report), report_suffix=".error.json")
        log.info("master_file_imported", file=path.name, accepted=result.accepted, rejected=result.rejected)
        return FileOutcome(rejected=False, report=msgspec.json.encode(result))

    return WatchedFolder(
        inbox, take, folders=tuple(MASTER_RECORD_TYPES), suffixes=SUFFIXES, max_bytes=max_bytes, poll_s=poll_s
    )
