"""Watched folder for micro-batches:

- `<inbox>/transactions/<name>.json|.jsonl|.ndjson`: canonical transactions;
- `<inbox>/poslog/<legal_entity_id>/<name>.xml`: ARTS POSLog documents of that legal entity's stores,
  parsed by the same connector as `POST /v1/sales/poslog`. An optional `folder.json` beside them sets
  what the POSLog does not carry: `{"timezone": "America/New_York", "channel_id": "store",
  "currency": "USD"}` (defaults: no time zone, i.e. the document's offsets or UTC; channel `store`;
  the document's currency). A malformed document is refused per transaction, naming the element.

A file is moved to `processed/` (beside it) with its per-record outcomes as `<name>.outcomes.json`.
Dropping the same file again changes nothing: every record is then a duplicate.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec
from retail_platform.logging import get_logger

from order_ledger.application.intake import canonical_submissions, poslog_submissions
from order_ledger.application.use_cases.record_transactions import RecordTransactions, Submission
from order_ledger.domain.outcome import FieldProblem

log = get_logger(__name__)
SUFFIXES = (".json", ".jsonl", ".ndjson")
POSLOG_SUFFIXES = (".xml",)
POSLOG_SETTINGS = "folder.json"


class PosLogFolder(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    timezone: str | None = None
    channel_id: str = "store"
    currency: str | None = None


class FolderWatcher:
    def __init__(self, inbox: Path, record: RecordTransactions, poll_s: float = 1.0) -> None:
        self._folder = inbox / "transactions"
        self._poslog = inbox / "poslog"
        self._record = record
        self._poll_s = poll_s

    async def run(self, stop: asyncio.Event) -> None:
        self._folder.mkdir(parents=True, exist_ok=True)
        self._poslog.mkdir(parents=True, exist_ok=True)
        while not stop.is_set():
            await self.scan_once()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self._poll_s)

    async def scan_once(self) -> int:
        done = 0
        for path in _files(self._folder, SUFFIXES):
            await self._import(path)
            done += 1
        entities = sorted(p for p in self._poslog.iterdir() if p.is_dir()) if self._poslog.is_dir() else []
        for folder in entities:
            for path in _files(folder, POSLOG_SUFFIXES):
                await self._import_poslog(folder.name, path)
                done += 1
        return done

    async def _import(self, path: Path) -> None:
        submissions = canonical_submissions(await asyncio.to_thread(path.read_bytes), path.name)
        await self._record_file(path, submissions, f"file:{path.name}")

    async def _import_poslog(self, legal_entity_id: str, path: Path) -> None:
        content = await asyncio.to_thread(path.read_bytes)
        settings, problem = _poslog_settings(path.parent / POSLOG_SETTINGS)
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
        await self._record_file(path, submissions, f"file:poslog/{legal_entity_id}/{path.name}")

    async def _record_file(self, path: Path, submissions: list[Submission], received_via: str) -> None:
        result = await self._record(submissions, received_via=received_via)
        await asyncio.to_thread(_archive, path, msgspec.json.encode(result))
        log.info("sales_file_imported", file=received_via, posted=result.posted, rejected=result.rejected)


def _files(folder: Path, suffixes: tuple[str, ...]) -> list[Path]:
    if not folder.is_dir():
        return []
    return [
        path
        for path in sorted(folder.glob("*"))
        if path.is_file() and path.suffix.lower() in suffixes and not path.name.startswith(".")
    ]


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


def _archive(path: Path, outcomes: bytes) -> None:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    target = path.parent / "processed" / f"{stamp}_{path.name}"
    target.parent.mkdir(exist_ok=True)
    path.rename(target)
    target.with_name(target.name + ".outcomes.json").write_bytes(outcomes)
