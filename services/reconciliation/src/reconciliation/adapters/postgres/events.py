"""Outbox rows for what a run stored: variance postings, raised exceptions and system steps.

Ids are deterministic from the stored rows' keys, so a re-run (which stores nothing new) adds nothing,
and rows are inserted in one batched statement (a run can raise thousands of exceptions)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from canon.envelope import Envelope
from canon.ids import deterministic_id
from canon.money import Money
from canon.recon import VARIANCE_POSTED, VariancePosted
from canon.reconciliation_events import (
    EXCEPTION_RAISED,
    EXCEPTION_STATUS_CHANGED,
    ExceptionRaised,
    ExceptionStatusChanged,
)
from messaging.schema import outbox
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

SOURCE = "/retail-sync/reconciliation"


def _row(envelope: Envelope, payload: bytes) -> dict[str, Any]:
    return {
        "event_id": envelope.id,
        "subject": envelope.type,
        "headers": envelope.to_headers(),
        "payload": payload,
    }


def variance_rows(rows: Sequence[Any], at: datetime) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        event = VariancePosted(
            variance_id=row.variance_id,
            kind=row.kind,
            amount=Money(int(row.amount_minor), row.currency),
            legal_entity_id=row.legal_entity_id,
            business_date=row.business_date,
            processor=row.processor,
            settlement_report_id=row.report_id,
            processor_reference=row.processor_reference,
            channel_id=row.channel_id,
            memo=f"{row.line_count} settlement line(s)",
        )
        envelope = VARIANCE_POSTED.envelope(
            SOURCE, subject=row.variance_id, id=deterministic_id("event", row.variance_id), time=at
        )
        out.append(_row(envelope, VARIANCE_POSTED.encode(event)))
    return out


def raised_rows(rows: Sequence[Any], at: datetime) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        amount = None if row.amount_minor is None else Money(int(row.amount_minor), row.currency)
        event = ExceptionRaised(
            exception_id=row.exception_id,
            exception_type=row.exception_type,
            control=row.control,
            legal_entity_id=row.legal_entity_id,
            period_id=row.period_id,
            amount=amount,
            channel_id=row.channel_id,
            business_date=row.business_date,
            reference=row.reference,
        )
        event_id = deterministic_id("recon.exception_raised", row.exception_id)
        envelope = EXCEPTION_RAISED.envelope(SOURCE, subject=row.exception_id, id=event_id, time=at)
        out.append(_row(envelope, EXCEPTION_RAISED.encode(event)))
    return out


def auto_resolved_rows(rows: Sequence[Any], at: datetime) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        event = ExceptionStatusChanged(
            exception_id=row.exception_id,
            step=row.step,
            status="resolved",
            actor="system",
            action="auto_resolved",
            at=at,
            reason_code="cleared",
        )
        event_id = deterministic_id("recon.exception_step", row.exception_id, str(row.step))
        envelope = EXCEPTION_STATUS_CHANGED.envelope(SOURCE, subject=row.exception_id, id=event_id, time=at)
        out.append(_row(envelope, EXCEPTION_STATUS_CHANGED.encode(event)))
    return out


async def add_many(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    if rows:
        await session.execute(insert(outbox).on_conflict_do_nothing(index_elements=[outbox.c.event_id]), rows)
