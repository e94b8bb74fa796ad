"""Outbox rows for what a run stored: variance postings, raised exceptions and system steps.

Ids are deterministic from the stored rows' keys, so a re-run (which stores nothing new) adds nothing,
and rows are inserted in one batched statement, or by COPY when there are many (a run can raise
tens of thousands of exceptions)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import msgspec
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
from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from reconciliation.adapters.postgres.files import copy_rows

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


# Above this many rows (a first run over a big file raises tens of thousands of exceptions) the rows
# are COPYed into a temporary table and moved into the outbox by one INSERT (same order, same
# ON CONFLICT DO NOTHING): a multi-row INSERT with four parameters a row costs about 50 us a row.
COPY_FROM = 1_000
_STAGE = [
    "DROP TABLE IF EXISTS outbox_stage",
    "CREATE TEMP TABLE outbox_stage (n integer NOT NULL, event_id text NOT NULL, subject text NOT NULL,"
    " headers text NOT NULL, payload bytea NOT NULL) ON COMMIT DROP",
]
_FROM_STAGE = (
    "INSERT INTO outbox (event_id, subject, headers, payload)"
    " SELECT event_id, subject, CAST(headers AS jsonb), payload FROM outbox_stage ORDER BY n"
    " ON CONFLICT (event_id) DO NOTHING"
)
_encode_json = msgspec.json.Encoder().encode


async def add_many(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    if len(rows) < COPY_FROM:
        if rows:
            insert_rows = insert(outbox).on_conflict_do_nothing(index_elements=[outbox.c.event_id])
            await session.execute(insert_rows, rows)
        return
    for statement in _STAGE:
        await session.execute(text(statement))
    records = [
        (n, row["event_id"], row["subject"], _encode_json(row["headers"]).decode(), row["payload"])
        for n, row in enumerate(rows)
    ]
    await copy_rows(session, "outbox_stage", ["n", "event_id", "subject", "headers", "payload"], records)
    await session.execute(text(_FROM_STAGE))
