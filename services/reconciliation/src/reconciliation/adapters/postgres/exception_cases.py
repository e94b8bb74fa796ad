"""PostgreSQL adapters of the ExceptionCases and VarianceOutbox ports (the workflow's writes)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from canon.ids import deterministic_id
from canon.money import Money
from canon.recon import VARIANCE_POSTED, VariancePosted
from messaging.outbox import add_to_outbox
from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from reconciliation.adapters.postgres.tables import recon_exception_audit, recon_exceptions
from reconciliation.domain.workflow import AdjustingEntry, AuditStep, ExceptionCase

SOURCE = "/retail-sync/reconciliation"


def _entry(stored: dict[str, Any] | None) -> AdjustingEntry | None:
    if not stored:
        return None
    amount = Money(stored["amount_minor"], stored["currency"])
    return AdjustingEntry(kind=stored["kind"], amount=amount, memo=stored.get("memo"))


def _stored(entry: AdjustingEntry | None) -> dict[str, Any] | None:
    if entry is None:
        return None
    return {
        "kind": entry.kind,
        "amount_minor": entry.amount.amount_minor,
        "currency": entry.amount.currency,
        "memo": entry.memo,
    }


class PostgresExceptionCases:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._steps: dict[str, int] = {}

    async def get(self, exception_id: str) -> ExceptionCase | None:
        query = (
            select(recon_exceptions).where(recon_exceptions.c.exception_id == exception_id).with_for_update()
        )
        row = (await self._session.execute(query)).first()
        if row is None:
            return None
        self._steps[exception_id] = row.step
        return ExceptionCase(
            exception_id=row.exception_id,
            status=row.status,
            owner=row.owner,
            reason_code=row.reason_code,
            proposed_by=row.proposed_by,
            adjusting_entry=_entry(row.adjusting_entry),
            approved_by=row.approved_by,
        )

    async def save(self, case: ExceptionCase, steps: list[AuditStep]) -> list[int]:
        first = self._steps[case.exception_id] + 1
        numbers = list(range(first, first + len(steps)))
        resolved = case.status == "resolved"
        values = {
            "status": case.status,
            "owner": case.owner,
            "reason_code": case.reason_code,
            "proposed_by": case.proposed_by,
            "adjusting_entry": _stored(case.adjusting_entry),
            "approved_by": case.approved_by,
            "step": numbers[-1],
            "resolved_at": steps[-1].at if resolved else None,
            "resolved_by": steps[-1].actor if resolved else None,
        }
        await self._session.execute(
            update(recon_exceptions)
            .where(recon_exceptions.c.exception_id == case.exception_id)
            .values(**values)
        )
        for number, step in zip(numbers, steps, strict=True):
            await self._session.execute(
                recon_exception_audit.insert().values(
                    exception_id=case.exception_id,
                    step=number,
                    action=step.action,
                    from_status=step.from_status,
                    to_status=step.to_status,
                    actor=step.actor,
                    at=step.at,
                    details=step.details,
                )
            )
        self._steps[case.exception_id] = numbers[-1]
        return numbers


_EXCEPTION_SCOPE = text(
    """SELECT legal_entity_id, period_id, channel_id, business_date, reference, evidence
         FROM recon_exceptions WHERE exception_id = :exception_id"""
)
_INSERT_VARIANCE = text(
    """INSERT INTO recon_variances (variance_id, kind, legal_entity_id, period_id, processor, report_id,
                                    business_date, currency, amount_minor, channel_id, processor_reference,
                                    line_count, exception_id, run_id, created_at)
       VALUES (:variance_id, :kind, :legal_entity_id, :period_id, :processor, :report_id, :business_date,
               :currency, :amount_minor, :channel_id, :reference, 0, :exception_id, 'workflow', :at)
       ON CONFLICT DO NOTHING RETURNING variance_id"""
)


class PostgresVarianceOutbox:
    """An approved adjusting entry becomes a variance row and a variance_posted event, once."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def post_adjustment(self, case: ExceptionCase, at: datetime) -> None:
        entry = case.adjusting_entry
        assert entry is not None
        scope = (await self._session.execute(_EXCEPTION_SCOPE, {"exception_id": case.exception_id})).one()
        processor = (scope.evidence or {}).get("processor") or "unknown"
        report_id = (scope.evidence or {}).get("report_id") or case.exception_id
        variance_id = deterministic_id("recon.adjustment", case.exception_id)
        business_date = scope.business_date or at.date()
        params = {
            "variance_id": variance_id,
            "kind": entry.kind,
            "legal_entity_id": scope.legal_entity_id,
            "period_id": scope.period_id,
            "processor": processor,
            "report_id": report_id,
            "business_date": business_date,
            "currency": entry.amount.currency,
            "amount_minor": entry.amount.amount_minor,
            "channel_id": scope.channel_id,
            "reference": scope.reference,
            "exception_id": case.exception_id,
            "at": at,
        }
        if (await self._session.execute(_INSERT_VARIANCE, params)).scalar() is None:
            return
        event = VariancePosted(
            variance_id=variance_id,
            kind=entry.kind,
            amount=entry.amount,
            legal_entity_id=scope.legal_entity_id,
            business_date=business_date,
            processor=processor,
            settlement_report_id=report_id,
            processor_reference=scope.reference,
            channel_id=scope.channel_id,
            memo=entry.memo or f"adjustment for exception {case.exception_id} ({case.reason_code})",
        )
        envelope = VARIANCE_POSTED.envelope(
            SOURCE, subject=variance_id, id=deterministic_id("event", variance_id)
        )
        await add_to_outbox(self._session, envelope, VARIANCE_POSTED.encode(event))
