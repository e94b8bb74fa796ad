"""Fiscal calendar of a legal entity: one fiscal year split into contiguous periods.

Period bounds are INCLUSIVE dates (``start`` = first business date, ``end`` = last), the way
finance teams write them ("2026-11: Nov 1 - Nov 28" in a 4-4-5 calendar). Business dates are in
the legal entity's time zone; a posting lands in the period containing its business date, and if
that period is closed, in the next open one.
"""

from __future__ import annotations

import bisect
from datetime import date, timedelta
from typing import Literal

import msgspec

from canon import _checks
from canon.errors import ValidationError

PeriodStatus = Literal["open", "closed"]


class FiscalPeriod(msgspec.Struct, frozen=True, kw_only=True):
    """A fiscal period from ``start`` to ``end``, both inclusive."""

    period_id: str
    start: date
    end: date
    status: PeriodStatus = "open"

    def __post_init__(self) -> None:
        _checks.identifier("period_id", self.period_id)
        _checks.plain_date("start", self.start)
        _checks.plain_date("end", self.end)
        if self.end < self.start:
            raise ValidationError("end", f"period ends ({self.end}) before it starts ({self.start})")
        _checks.one_of("status", self.status, PeriodStatus)

    def contains(self, business_date: date) -> bool:
        return self.start <= business_date <= self.end

    @property
    def is_open(self) -> bool:
        return self.status == "open"


class FiscalCalendar(msgspec.Struct, frozen=True, kw_only=True):
    """The periods of one fiscal year of a legal entity: sorted, contiguous, non-overlapping."""

    legal_entity_id: str
    fiscal_year: int
    periods: list[FiscalPeriod]

    def __post_init__(self) -> None:
        _checks.identifier("legal_entity_id", self.legal_entity_id)
        _checks.integer("fiscal_year", self.fiscal_year, minimum=1900, maximum=9999)
        if not self.periods:
            raise ValidationError("periods", "a fiscal year needs at least one period")
        seen_ids: set[str] = set()
        for index, period in enumerate(self.periods):
            if not isinstance(period, FiscalPeriod):
                got = type(period).__name__
                raise ValidationError(f"periods[{index}]", f"expected FiscalPeriod, got {got}")
            if period.period_id in seen_ids:
                raise ValidationError(f"periods[{index}].period_id", f"duplicate {period.period_id!r}")
            seen_ids.add(period.period_id)
            if index == 0:
                continue
            previous_end = self.periods[index - 1].end
            expected_start = previous_end + timedelta(days=1)
            if period.start != expected_start:
                problem = "overlaps or is out of order" if period.start < expected_start else "leaves a gap"
                raise ValidationError(
                    f"periods[{index}].start",
                    f"{problem}: starts {period.start}, the previous period ends {previous_end}",
                )

    @property
    def key(self) -> str:
        return f"{self.legal_entity_id}:{self.fiscal_year}"

    @property
    def start(self) -> date:
        return self.periods[0].start

    @property
    def end(self) -> date:
        return self.periods[-1].end

    def period_for(self, business_date: date) -> FiscalPeriod | None:
        """The period containing ``business_date``, or None if it is outside this fiscal year."""
        index = bisect.bisect_right([period.start for period in self.periods], business_date) - 1
        if index < 0 or business_date > self.periods[index].end:
            return None
        return self.periods[index]

    def next_open_period(self, after: date) -> FiscalPeriod | None:
        """The first open period starting strictly after ``after`` (None: none left this year).

        For a business date in a closed period, ``next_open_period(after=business_date)`` is where
        the late posting goes; None means the next fiscal year's calendar must be asked.
        """
        for period in self.periods:
            if period.start > after and period.is_open:
                return period
        return None
