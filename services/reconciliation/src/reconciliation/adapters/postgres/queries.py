"""Read side: exceptions with their evidence and audit trail, read-model counts, close readiness."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import msgspec
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reconciliation.adapters.postgres import sql_readiness
from reconciliation.adapters.postgres.files import PostgresFiles
from reconciliation.domain.periods import Period, calendar_month
from reconciliation.domain.rules import Tolerances

_EXCEPTION_COLUMNS = """exception_id, exception_type, control, legal_entity_id, period_id, channel_id,
    business_date, currency, amount_minor, reference, status, owner, reason_code, proposed_by, approved_by,
    adjusting_entry, opened_at, resolved_at, resolved_by, evidence"""


class AuditView(msgspec.Struct, frozen=True, kw_only=True):
    step: int
    action: str
    from_status: str | None
    to_status: str
    actor: str
    at: datetime
    details: dict[str, Any]


class ExceptionView(msgspec.Struct, frozen=True, kw_only=True):
    exception_id: str
    exception_type: str
    control: str
    legal_entity_id: str
    period_id: str
    channel_id: str | None
    business_date: str | None
    currency: str | None
    amount_minor: int | None
    reference: str | None
    status: str
    owner: str | None
    reason_code: str | None
    proposed_by: str | None
    approved_by: str | None
    adjusting_entry: dict[str, Any] | None
    opened_at: datetime
    age_days: int
    resolved_at: datetime | None
    resolved_by: str | None
    evidence: dict[str, Any]
    audit: list[AuditView] = []


def _view(row: Any, now: datetime, audit: list[AuditView] | None = None) -> ExceptionView:
    values = dict(row._mapping)
    values["business_date"] = None if row.business_date is None else row.business_date.isoformat()
    values["age_days"] = ((row.resolved_at or now) - row.opened_at).days
    return ExceptionView(**values, audit=audit or [])


class ReconQueries:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._session_factory = session_factory

    async def exception(self, exception_id: str, now: datetime) -> ExceptionView | None:
        async with self._session_factory() as session:
            row = (
                await session.execute(
                    text(f"SELECT {_EXCEPTION_COLUMNS} FROM recon_exceptions WHERE exception_id = :id"),
                    {"id": exception_id},
                )
            ).first()
            if row is None:
                return None
            steps = (
                await session.execute(
                    text(
                        "SELECT step, action, from_status, to_status, actor, at, details"
                        " FROM recon_exception_audit"
                        " WHERE exception_id = :id ORDER BY step"
                    ),
                    {"id": exception_id},
                )
            ).all()
        return _view(row, now, [AuditView(**dict(step._mapping)) for step in steps])

    async def exceptions(
        self,
        *,
        legal_entity_id: str | None,
        period_id: str | None,
        status: str | None,
        exception_type: str | None,
        now: datetime,
        limit: int,
        after: str | None,
    ) -> list[ExceptionView]:
        filters = {
            "legal_entity_id": legal_entity_id,
            "period_id": period_id,
            "status": status,
            "exception_type": exception_type,
        }
        where = " AND ".join(f"{name} = :{name}" for name, value in filters.items() if value is not None)
        if after is not None:
            where = f"{where} AND exception_id > :after" if where else "exception_id > :after"
        sql = f"SELECT {_EXCEPTION_COLUMNS} FROM recon_exceptions {'WHERE ' + where if where else ''}"
        params = {k: v for k, v in filters.items() if v is not None} | {"after": after, "limit": limit}
        async with self._session_factory() as session:
            rows = (await session.execute(text(sql + " ORDER BY exception_id LIMIT :limit"), params)).all()
        return [_view(row, now) for row in rows]

    async def status(self) -> dict[str, int]:
        async with self._session_factory() as session:
            row = (await session.execute(text(sql_readiness.STATUS))).one()
        return dict(row._mapping)

    async def close_readiness(
        self, legal_entity_id: str, period_id: str, now: datetime, tolerances: Tolerances
    ) -> dict[str, Any]:
        """The report; `ready` once nothing remains and the cut-off has passed."""
        async with self._session_factory() as session:
            periods = await PostgresFiles(session).periods(legal_entity_id)
            period = next((p for p in periods if p.period_id == period_id), None) or _month_of(period_id)
            params = {
                "entity": legal_entity_id,
                "period": period_id,
                "now": now,
                "start": period.start,
                "end": period.end,
                "cutoff": period.cutoff(),
                "settlement_window_days": tolerances.settlement_window_days,
                "payout_window_days": tolerances.payout_window_days,
            }
            report = dict((await session.execute(text(sql_readiness.CLOSE_READINESS), params)).scalar_one())
        report["ready"] = report["remaining"] == 0 and report["cutoff"]["passed"]
        return report


def _month_of(period_id: str) -> Period:
    try:
        return calendar_month(date(int(period_id[:4]), int(period_id[5:7]), 1))
    except ValueError:
        raise UnknownPeriodError(period_id) from None


class UnknownPeriodError(LookupError):
    """Neither a fiscal period of the legal entity nor a calendar month (YYYY-MM)."""
