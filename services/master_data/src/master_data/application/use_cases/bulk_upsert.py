"""Bulk upsert of one master-data record type.

Rules:
- each record is validated on its own; a bad record is rejected with the field and reason, and the
  good records of the same batch are stored;
- a record whose content did not change keeps its version and emits nothing (re-sent extracts and
  replayed requests change nothing);
- a changed record gets version N+1, kept in the history, and a `retail.master.<type>_upserted.v1`
  event leaves through the outbox in the same transaction;
- within one batch a key seen twice is applied in order (the later one wins).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from canon.envelope import Envelope
from canon.errors import ValidationError
from canon.events import master_event_type, upserted
from canon.ids import deterministic_id
from canon.master_data import MASTER_RECORD_TYPES, convert_record

from master_data.application.ports import ConcurrentChangeError, UnitOfWork, UnitOfWorkFactory
from master_data.domain.outcome import BulkUpsertResult, FieldProblem, RecordOutcome
from master_data.domain.record import StoredRecord, decide_upsert

SOURCE = "/retail-sync/master_data"
MAX_ATTEMPTS = 3


class UnknownRecordTypeError(ValidationError):
    def __init__(self, record_type: str) -> None:
        known = ", ".join(sorted(MASTER_RECORD_TYPES))
        super().__init__("record_type", f"unknown record type {record_type!r}; known: {known}")


class BulkUpsert:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Callable[[], datetime] | None = None) -> None:
        self._uow_factory = uow_factory
        self._clock = clock or (lambda: datetime.now(UTC))

    async def __call__(
        self,
        record_type: str,
        rows: list[tuple[int, Any]],
        *,
        source: str,
        correlation_id: str | None = None,
        strict_types: bool = True,
    ) -> BulkUpsertResult:
        """`rows` are (position, raw JSON-like object) pairs; position is reported back in outcomes.

        `strict_types=False` for rows read from CSV, whose cells are all text.
        """
        if record_type not in MASTER_RECORD_TYPES:
            raise UnknownRecordTypeError(record_type)
        rejected: list[RecordOutcome] = []
        valid: list[tuple[int, Any]] = []
        for position, raw in rows:
            try:
                valid.append((position, convert_record(record_type, raw, strict=strict_types)))
            except ValidationError as error:
                problem = FieldProblem(field=error.field, reason=error.reason)
                rejected.append(RecordOutcome(position=position, status="rejected", errors=[problem]))
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                stored = await self._store(record_type, valid, source, correlation_id)
                break
            except ConcurrentChangeError:
                if attempt == MAX_ATTEMPTS:
                    raise
        return BulkUpsertResult.of(record_type, rejected + stored)

    async def _store(
        self, record_type: str, valid: list[tuple[int, Any]], source: str, correlation_id: str | None
    ) -> list[RecordOutcome]:
        outcomes: list[RecordOutcome] = []
        if not valid:
            return outcomes
        now = self._clock()
        async with self._uow_factory() as uow:
            current = await uow.records.get_many(record_type, {record.key for _, record in valid})
            for position, record in valid:
                decision = decide_upsert(current.get(record.key), record_type, record, now)
                if decision.status != "unchanged":
                    current[record.key] = decision.stored
                    await uow.records.save(decision.stored, source=source, correlation_id=correlation_id)
                    await _emit(uow, decision.stored, correlation_id)
                outcomes.append(
                    RecordOutcome(
                        position=position,
                        status=decision.status,
                        key=record.key,
                        version=decision.stored.version,
                    )
                )
            await uow.commit()
        return outcomes


async def _emit(uow: UnitOfWork, stored: StoredRecord, correlation_id: str | None) -> None:
    event_type = master_event_type(stored.record_type)
    payload = upserted(stored.record, version=stored.version, changed_at=stored.changed_at)
    envelope = Envelope.new(
        type=event_type.type,
        source=SOURCE,
        subject=stored.key,
        id=deterministic_id("master", stored.record_type, stored.key, str(stored.version)),
        correlation_id=correlation_id,
        time=stored.changed_at,
    )
    await uow.outbox.add(envelope, event_type.encode(payload))
