"""Close readiness per legal entity and period, from reconciliation's close-readiness report."""

from __future__ import annotations

from typing import Any

import msgspec


class CurrencyAmount(msgspec.Struct, frozen=True, kw_only=True):
    currency: str
    count: int
    amount_minor: int


class ReadinessRow(msgspec.Struct, frozen=True, kw_only=True):
    legal_entity_id: str
    name: str | None
    period_id: str
    ready: bool | None
    """None when the report could not be read (see `problem`)."""
    remaining: int = 0
    open_exceptions: int = 0
    timing_differences: int = 0
    cutoff_at: str | None = None
    cutoff_passed: bool | None = None
    unreconciled: list[CurrencyAmount] = []
    by_channel: list[dict[str, Any]] = []
    ageing: list[dict[str, Any]] = []
    problem: str | None = None


def unreconciled_by_currency(by_channel: list[dict[str, Any]]) -> list[CurrencyAmount]:
    totals: dict[str, list[int]] = {}
    for line in by_channel:
        total = totals.setdefault(str(line.get("currency") or ""), [0, 0])
        total[0] += int(line.get("count") or 0)
        total[1] += int(line.get("amount_minor") or 0)
    return [CurrencyAmount(currency=c, count=n, amount_minor=a) for c, (n, a) in sorted(totals.items())]


def readiness_row(report: dict[str, Any], name: str | None = None) -> ReadinessRow:
    by_channel = list(report.get("unreconciled_by_channel") or [])
    cutoff = report.get("cutoff") or {}
    return ReadinessRow(
        legal_entity_id=str(report["legal_entity_id"]),
        name=name,
        period_id=str(report["period_id"]),
        ready=bool(report.get("ready")),
        remaining=int(report.get("remaining") or 0),
        open_exceptions=int(report.get("open_exceptions") or 0),
        timing_differences=int(report.get("timing_differences") or 0),
        cutoff_at=cutoff.get("cutoff_at"),
        cutoff_passed=cutoff.get("passed"),
        unreconciled=unreconciled_by_currency(by_channel),
        by_channel=by_channel,
        ageing=list(report.get("exception_ageing") or []),
    )


def unreadable_row(legal_entity_id: str, name: str | None, period_id: str, problem: str) -> ReadinessRow:
    return ReadinessRow(
        legal_entity_id=legal_entity_id, name=name, period_id=period_id, ready=None, problem=problem
    )
