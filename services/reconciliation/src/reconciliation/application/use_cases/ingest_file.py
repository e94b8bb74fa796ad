"""Take a settlement or bank file whole, then reconcile its legal entity.

Rules:
- a file is taken whole or rejected with every bad line (line number, field, reason); a rejection is
  kept for the audit trail and nothing of the file is stored;
- a re-sent file is recognised by its content hash, or by its report / statement id, and not taken
  twice (the outcome says `duplicate` and why);
- a file counts in the period of its business date, unless it arrives after that period's cut-off:
  then it counts in the next period and is marked late;
- taking a file publishes `retail.recon.file_ingested.v1` in the same transaction, and then runs
  the reconciliation of its legal entity (idempotent, so a retry is harmless).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime

import msgspec
from canon.ids import deterministic_id
from canon.reconciliation_events import FILE_INGESTED, FileIngested
from connectors.errors import ParseError
from connectors.files import content_sha256

from reconciliation.application.ports import AlreadyTakenError, Reconciler, UnitOfWorkFactory
from reconciliation.application.read_file import ParsedFile, read_file
from reconciliation.domain.files import FileRecord, IngestOutcome, Problem
from reconciliation.domain.periods import DEFAULT_CUTOFF_DAYS, assign_period

SOURCE = "/retail-sync/reconciliation"


class IngestFile:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        reconciler: Reconciler | None,
        clock: Callable[[], datetime] | None = None,
        cutoff_days: int = DEFAULT_CUTOFF_DAYS,
    ) -> None:
        self._uow_factory = uow_factory
        self._reconciler = reconciler
        self._clock = clock or (lambda: datetime.now(UTC))
        self._cutoff_days = cutoff_days

    async def __call__(
        self,
        content: bytes,
        *,
        filename: str | None,
        legal_entity_id: str,
        channel_id: str | None = None,
        source: str = "api",
        reconcile: bool = True,
    ) -> IngestOutcome:
        file_id = content_sha256(content)
        received_at = self._clock()
        try:
            parsed = await asyncio.to_thread(read_file, content, filename)
        except ParseError as error:
            problems = [Problem(line=p.line, field=p.field, reason=p.reason) for p in error.problems]
            async with self._uow_factory() as uow:
                rows: list[dict[str, object]] = [
                    {"line": p.line, "field": p.field, "reason": p.reason} for p in problems
                ]
                await uow.files.add_rejection(file_id, filename, received_at, rows)
                await uow.commit()
            return IngestOutcome(status="rejected", file_id=file_id, filename=filename, problems=problems)
        outcome = await self._store(
            file_id, parsed, filename, legal_entity_id, channel_id, source, received_at
        )
        if outcome.status == "taken" and reconcile and self._reconciler is not None:
            run = await self._reconciler.run(legal_entity_id, received_at)
            outcome = msgspec.structs.replace(outcome, run=run)
        return outcome

    async def _store(
        self,
        file_id: str,
        parsed: ParsedFile,
        filename: str | None,
        legal_entity_id: str,
        channel_id: str | None,
        source: str,
        received_at: datetime,
    ) -> IngestOutcome:
        base = IngestOutcome(
            status="duplicate",
            file_id=file_id,
            filename=filename,
            kind=parsed.kind,
            source_format=parsed.source_format,
            report_id=parsed.report_id,
        )
        async with self._uow_factory() as uow:
            reason = await uow.files.duplicate_of(
                file_id, legal_entity_id, parsed.kind, parsed.source_format, parsed.report_ids
            )
            if reason is not None:
                return msgspec.structs.replace(base, reason=reason)
            periods = await uow.files.periods(legal_entity_id)
            assigned = assign_period(parsed.business_date, received_at, periods, self._cutoff_days)
            record = FileRecord(
                file_id=file_id,
                kind=parsed.kind,
                source_format=parsed.source_format,
                report_id=parsed.report_id,
                filename=filename,
                legal_entity_id=legal_entity_id,
                channel_id=channel_id,
                business_date=parsed.business_date,
                period_id=assigned.period_id,
                late=assigned.late,
                cutoff_at=assigned.cutoff_at,
                line_count=parsed.line_count,
                received_at=received_at,
                source=source,
            )
            try:
                if parsed.settlement is not None:
                    await uow.files.add_settlement(record, parsed.settlement)
                else:
                    await uow.files.add_bank(record, parsed.statements or [])
            except AlreadyTakenError:
                return msgspec.structs.replace(base, reason="taken meanwhile by another upload")
            event = FileIngested(
                file_id=file_id,
                kind=parsed.kind,
                source_format=parsed.source_format,
                report_id=parsed.report_id,
                legal_entity_id=legal_entity_id,
                period_id=assigned.period_id,
                line_count=parsed.line_count,
                received_at=received_at,
                late=assigned.late,
            )
            envelope = FILE_INGESTED.envelope(
                SOURCE, subject=file_id, id=deterministic_id("recon.file", file_id)
            )
            await uow.outbox.add(envelope, FILE_INGESTED.encode(event))
            await uow.commit()
        return msgspec.structs.replace(
            base,
            status="taken",
            period_id=assigned.period_id,
            late=assigned.late,
            line_count=parsed.line_count,
        )
