"""Which period a file counts in, and the cut-off after which late files go to the next period.

Periods come from the legal entity's fiscal calendar (master data); without one, calendar months
(`YYYY-MM`). A period's cut-off is set per period, or defaults to `default_cutoff_days` after its
last day. A file whose business date falls in a period but arrives after that period's cut-off
counts in the next period, and is marked late.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

DEFAULT_CUTOFF_DAYS = 3


@dataclass(frozen=True)
class Period:
    period_id: str
    start: date
    end: date
    cutoff_at: datetime | None = None

    def cutoff(self, default_days: int = DEFAULT_CUTOFF_DAYS) -> datetime:
        if self.cutoff_at is not None:
            return self.cutoff_at
        return datetime.combine(self.end + timedelta(days=default_days + 1), time(), tzinfo=UTC)


def calendar_month(day: date) -> Period:
    start = day.replace(day=1)
    following = (start + timedelta(days=32)).replace(day=1)
    return Period(f"{day:%Y-%m}", start, following - timedelta(days=1))


def period_of(day: date, periods: list[Period]) -> Period:
    """The fiscal period holding `day`, else its calendar month."""
    for period in periods:
        if period.start <= day <= period.end:
            return period
    return calendar_month(day)


@dataclass(frozen=True)
class PeriodAssignment:
    period_id: str
    late: bool
    cutoff_at: datetime


def assign_period(
    business_date: date,
    received_at: datetime,
    periods: list[Period],
    default_cutoff_days: int = DEFAULT_CUTOFF_DAYS,
) -> PeriodAssignment:
    """The period a file counts in: its business date's period, or the first later one whose
    cut-off it still makes (a very late file lands in the period open when it arrived)."""
    period = period_of(business_date, periods)
    first_cutoff = period.cutoff(default_cutoff_days)
    while received_at > period.cutoff(default_cutoff_days):
        period = period_of(period.end + timedelta(days=1), periods)
    late = received_at > first_cutoff
    return PeriodAssignment(period.period_id, late, first_cutoff)
