from datetime import date, datetime

import pytest
from canon.errors import ValidationError
from canon.master_data import FiscalCalendar, FiscalPeriod


def period(period_id: str, start: date, end: date, status: str = "open") -> FiscalPeriod:
    return FiscalPeriod(period_id=period_id, start=start, end=end, status=status)  # type: ignore[arg-type]


# A 4-4-5 quarter: periods of 28, 28 and 35 days, the first one closed.
JAN = period("2026-01", date(2026, 1, 4), date(2026, 1, 31), "closed")
FEB = period("2026-02", date(2026, 2, 1), date(2026, 2, 28), "closed")
MAR = period("2026-03", date(2026, 3, 1), date(2026, 4, 4))
CALENDAR = FiscalCalendar(legal_entity_id="LE-US", fiscal_year=2026, periods=[JAN, FEB, MAR])


@pytest.mark.parametrize(
    ("business_date", "expected"),
    [
        (date(2026, 1, 4), JAN),
        (date(2026, 1, 31), JAN),  # end is inclusive
        (date(2026, 2, 1), FEB),
        (date(2026, 4, 4), MAR),
        (date(2026, 1, 3), None),  # before the fiscal year
        (date(2026, 4, 5), None),  # after it
    ],
)
def test_period_for_business_date(business_date: date, expected: FiscalPeriod | None) -> None:
    assert CALENDAR.period_for(business_date) == expected


def test_next_open_period_is_where_late_postings_go() -> None:
    assert CALENDAR.next_open_period(after=date(2026, 1, 15)) == MAR
    assert CALENDAR.next_open_period(after=FEB.end) == MAR
    assert CALENDAR.next_open_period(after=date(2026, 3, 1)) is None
    assert CALENDAR.next_open_period(after=date(2025, 12, 31)) == MAR


def test_calendar_bounds_and_key() -> None:
    assert (CALENDAR.start, CALENDAR.end, CALENDAR.key) == (date(2026, 1, 4), date(2026, 4, 4), "LE-US:2026")
    assert MAR.contains(date(2026, 4, 4))
    assert not MAR.contains(date(2026, 4, 5))
    assert MAR.is_open
    assert not JAN.is_open


def test_single_day_period_is_valid_and_end_before_start_is_not() -> None:
    assert period("adj", date(2026, 12, 31), date(2026, 12, 31)).contains(date(2026, 12, 31))
    with pytest.raises(ValidationError) as raised:
        period("bad", date(2026, 2, 1), date(2026, 1, 31))
    assert raised.value.field == "end"


@pytest.mark.parametrize(
    ("periods", "field"),
    [
        ([JAN, period("gap", date(2026, 2, 2), date(2026, 2, 28))], "periods[1].start"),
        ([JAN, period("overlap", date(2026, 1, 31), date(2026, 2, 28))], "periods[1].start"),
        ([FEB, JAN], "periods[1].start"),
        ([JAN, period("2026-01", date(2026, 2, 1), date(2026, 2, 28))], "periods[1].period_id"),
    ],
)
def test_periods_must_be_sorted_contiguous_and_distinct(periods: list[FiscalPeriod], field: str) -> None:
    with pytest.raises(ValidationError) as raised:
        FiscalCalendar(legal_entity_id="LE-US", fiscal_year=2026, periods=periods)
    assert raised.value.field == field


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"status": "frozen"}, "status"),
        ({"start": datetime(2026, 1, 1)}, "start"),
        ({"period_id": ""}, "period_id"),
    ],
)
def test_period_fields_are_checked(kwargs: dict[str, object], field: str) -> None:
    fields: dict[str, object] = {"period_id": "p", "start": date(2026, 1, 1), "end": date(2026, 1, 31)}
    with pytest.raises(ValidationError) as raised:
        FiscalPeriod(**{**fields, **kwargs})  # type: ignore[arg-type]
    assert raised.value.field == field
