"""File intake on fakes: taken whole or rejected with line numbers, duplicates, cut-off."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from recon_builders import adyen_file, adyen_row
from reconciliation.adapters.memory import InMemoryUnitOfWork
from reconciliation.application.use_cases.ingest_file import IngestFile
from reconciliation.domain.periods import Period, assign_period, calendar_month

RECEIVED = datetime(2026, 3, 5, 9, tzinfo=UTC)


def intake(uow: InMemoryUnitOfWork, at: datetime = RECEIVED) -> IngestFile:
    return IngestFile(uow, None, clock=lambda: at)


async def test_a_good_file_is_taken_whole_and_announced() -> None:
    uow = InMemoryUnitOfWork()
    content = adyen_file(
        [
            adyen_row("P1", "Settled", "10.00", "9.70", fee="0.30"),
            adyen_row("P2", "Settled", "5.00", "4.90", fee="0.10"),
        ]
    )
    outcome = await intake(uow)(content, filename="b7.csv", legal_entity_id="LE-NL")
    assert (outcome.status, outcome.kind, outcome.source_format, outcome.report_id) == (
        "taken",
        "settlement",
        "adyen",
        "7",
    )
    assert (outcome.line_count, outcome.period_id, outcome.late) == (2, "2026-03", False)
    assert [e.type for e, _ in uow.committed.events] == ["retail.recon.file_ingested.v1"]


async def test_a_file_with_bad_rows_is_rejected_whole_naming_each_line() -> None:
    uow = InMemoryUnitOfWork()
    content = adyen_file(
        [
            adyen_row("P1", "Settled", "10.00", "9.70"),
            adyen_row("P2", "Settled", "1O.00", "9.70"),
            adyen_row("P3", "Settled", "10.00", "9.7.0"),
        ]
    )
    outcome = await intake(uow)(content, filename="bad.csv", legal_entity_id="LE-NL")
    assert outcome.status == "rejected"
    assert [(p.line, p.field) for p in outcome.problems] == [(3, "Gross Credit (GC)"), (4, "Net Credit (NC)")]
    assert uow.committed.files == {}
    assert len(uow.committed.rejections) == 1


async def test_a_resent_file_is_recognised_by_content_and_by_report_id() -> None:
    uow = InMemoryUnitOfWork()
    content = adyen_file([adyen_row("P1", "Settled", "10.00", "9.70")])
    await intake(uow)(content, filename="a.csv", legal_entity_id="LE-NL")
    same = await intake(uow)(content, filename="a-copy.csv", legal_entity_id="LE-NL")
    assert (same.status, same.reason) == ("duplicate", f"same content as file {same.file_id}")
    edited = adyen_file(
        [adyen_row("P1", "Settled", "10.00", "9.70"), adyen_row("P9", "Settled", "1.00", "0.90")]
    )
    again = await intake(uow)(edited, filename="b.csv", legal_entity_id="LE-NL")
    assert again.status == "duplicate"
    assert again.reason is not None
    assert again.reason.startswith("report 7 already taken")
    assert len(uow.committed.files) == 1


async def test_a_file_after_its_periods_cutoff_counts_in_the_next_period() -> None:
    uow = InMemoryUnitOfWork()
    uow.committed.periods = [
        Period("2026-03", date(2026, 3, 1), date(2026, 3, 31), datetime(2026, 4, 2, tzinfo=UTC))
    ]
    content = adyen_file([adyen_row("P1", "Settled", "10.00", "9.70", created="2026-03-31 22:00:00")])
    outcome = await intake(uow, at=datetime(2026, 4, 2, 0, 1, tzinfo=UTC))(
        content, filename="late.csv", legal_entity_id="LE-NL"
    )
    assert (outcome.period_id, outcome.late) == ("2026-04", True)


@settings(max_examples=60)
@given(day=st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)), delay_days=st.integers(0, 120))
def test_a_file_lands_in_the_first_period_whose_cutoff_it_makes(day: date, delay_days: int) -> None:
    received = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(days=delay_days, hours=12)
    assigned = assign_period(day, received, [], default_cutoff_days=3)
    period = calendar_month(day)
    assert assigned.late == (received > period.cutoff(3))
    landed = calendar_month(date(int(assigned.period_id[:4]), int(assigned.period_id[5:]), 1))
    assert landed.start >= period.start
    assert received <= landed.cutoff(3)
    if landed.start > period.start:  # every earlier period's cut-off had passed
        assert received > calendar_month(landed.start - timedelta(days=1)).cutoff(3)
