"""Which fiscal period a posting lands in: the period of its business date, or, when that period is
closed, the next open one (the entry is then flagged late). Calendars come from master data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from canon.master_data import FiscalCalendar

from order_ledger.domain.errors import NoOpenPeriodError


@dataclass(frozen=True, slots=True)
class PeriodChoice:
    period_id: str
    late: bool
    flags: tuple[str, ...] = ()


def choose_period(legal_entity_id: str, calendars: list[FiscalCalendar], business_date: date) -> PeriodChoice:
    """Without a calendar for the date the period is the calendar month, flagged for follow-up."""
    ordered = sorted(calendars, key=lambda calendar: calendar.start)
    for index, calendar in enumerate(ordered):
        period = calendar.period_for(business_date)
        if period is None:
            continue
        if period.is_open:
            return PeriodChoice(period.period_id, late=False)
        for later in ordered[index:]:
            found = later.next_open_period(after=business_date)
            if found is not None:
                return PeriodChoice(found.period_id, late=True, flags=(f"late_from:{period.period_id}",))
        raise NoOpenPeriodError(legal_entity_id, business_date, period.period_id)
    return PeriodChoice(f"{business_date:%Y-%m}", late=False, flags=("no_fiscal_calendar",))
