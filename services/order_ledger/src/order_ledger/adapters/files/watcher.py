"""Watched folder for micro-batches:

- `<inbox>/transactions/<name>.json|.jsonl|.ndjson`: canonical transactions;
- `<inbox>/poslog/<legal_entity_id>/<name>.xml`: ARTS POSLog documents of that legal entity's stores,
  parsed by the same connector as `POST /v1/sales/poslog`. An optional `folder.json` beside them sets
  what the POSLog does not carry: `{"timezone": "America/New_York", "channel_id": "store",
  "currency": "USD"}` (defaults: no time zone, i.e. the document's offsets or UTC; channel `store`;
  the document's currency). A malformed document is refused per transaction, naming the element.

A file is moved to `processed/` (beside it) with its per-record outcomes as `<name>.outcomes.json`.
Dropping the same file again changes nothing: every record is then a duplicate. The loop is
retail_platform.watched_folder: names starting with `.` are left alone, a file over the size limit
goes to `rejected/` unread with `<name>.error.json`, and a file whose recording fails unexpectedly
(the database is down, say) stays for the next scan.
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec
from retail_platform.logging import get_logger
from retail_platform.watched_folder import DEFAULT_MAX_FILE_BYTES, FileOutcome, WatchedFolder

from order_ledger.application.intake import canonical_submissions, poslog_submissions
from order_ledger.application.use_cases.record_transactions import RecordTransactions, Submission
from order_ledger.domain.outcome import FieldProblem

log = get_logger(__name__)
SUFFIXES = (".json", ".jsonl", ".ndjson")
POSLOG_SUFFIXES = (".xml",)
POSLOG_SETTINGS = "folder.json"
TRANSACTIONS = "transactions"
POSLOG = "poslog"


class PosLogFolder(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    timezone: str | None = None
    channel_id: str = "store"
    currency: str | None = None


class FolderWatcher:
    def __init__(
        self,
        inbox: Path,
        record: RecordTransactions,
        poll_s: float = 1.0,
        max_bytes: int = DEFAULT_MAX_FILE_BYTES,
    ) -> None:
        self._folder = inbox / TRANSACTIONS
        self._poslog = inbox / POSLOG
        self._record = record
        self._poll_s = poll_s
        self._transactions = WatchedFolder(
            inbox,
            self._import,
            folders=(TRANSACTIONS,),
            suffixes=SUFFIXES,
            max_bytes=max_bytes,
            poll_s=poll_s,
        )
        # every sub-folder of poslog/ is a legal entity (processed/ and rejected/ are not)
        self._poslogs = WatchedFolder(
            self._poslog, self._import_poslog, suffixes=POSLOG_SUFFIXES, max_bytes=max_bytes, poll_s=poll_s
        )

    async def run(self, stop: asyncio.Event) -> None:
        self._folder.mkdir(parents=True, exist_ok=True)
        self._poslog.mkdir(parents=True, exist_ok=True)
        while not stop.is_set():
            try:
                await self.scan_once()
            except Exception:
                log.exception("sales_folder_scan_failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self._poll_s)

    async def scan_once(self) -> int:
        """Takes every file waiting now (transactions first, then POSLog); returns how many."""
        return await self._transactions.scan_once() + await self._poslogs.scan_once()

    async def _import(self, folder: str, path: Path, content: bytes) -> FileOutcome:
        submissions = canonical_submissions(content, path.name)
        return await self._record_file(submissions, f"file:{path.name}")

    async def _import_poslog(self, legal_entity_id: str, path: Path, content: bytes) -> FileOutcome:
        settings, problem = await asyncio.to_thread(_poslog_settings, path.parent / POSLOG_SETTINGS)
        if problem is not None:
            submissions = [Submission(1, None, [problem])]
        else:
            submissions = poslog_submissions(
                content,
                legal_entity_id=legal_entity_id,
                channel_id=settings.channel_id,
                currency=settings.currency,
                timezone=ZoneInfo(settings.timezone) if settings.timezone else None,
            )
        return await self._record_file(submissions, f"file:poslog/{legal_entity_id}/{path.name}")

    async def _record_file(self, submissions: list[Submission], received_via: str) -> FileOutcome:
        result = await self._record(submissions, received_via=received_via)
        log.info("sales_file_imported", file=received_via, posted=result.posted, rejected=result.rejected)
        return FileOutcome(rejected=False, report=msgspec.json.encode(result), report_suffix=".outcomes.json")


def _poslog_settings(path: Path) -> tuple[PosLogFolder, FieldProblem | None]:
    if not path.is_file():
        return PosLogFolder(), None
    try:
        settings = msgspec.json.decode(path.read_bytes(), type=PosLogFolder)
        if settings.timezone:
            ZoneInfo(settings.timezone)
    except (msgspec.DecodeError, msgspec.ValidationError) as error:
        return PosLogFolder(), FieldProblem(field=POSLOG_SETTINGS, reason=str(error))
    except (ZoneInfoNotFoundError, ValueError):
        reason = f"unknown IANA time zone {settings.timezone!r}"
        return PosLogFolder(), FieldProblem(field=f"{POSLOG_SETTINGS}.timezone", reason=reason)
    return settings, None
