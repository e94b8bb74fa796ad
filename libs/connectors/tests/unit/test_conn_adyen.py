"""Adyen settlement details report: the four real samples, plus corrupted copies made here."""

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from canon.money import Money
from connectors.errors import ParseError
from connectors.settlement import parse_adyen

SAMPLES = Path(__file__).resolve().parents[4] / ".." / "shared" / "samples" / "adyen_settlement"


def usd(minor: int) -> Money:
    return Money(amount_minor=minor, currency="USD")


def sample(name: str) -> bytes:
    return (SAMPLES / f"settlement_detail_report_{name}.csv").read_bytes()


def test_settled_donation_with_scheme_fee_and_interchange():
    report = parse_adyen(sample("donation"), filename="donation.csv")
    assert report.source_format == "adyen"
    assert report.report_id == "2"
    payment, payout = report.lines
    assert payment.line_number == 2
    assert payment.record_type == "payment"
    assert payment.raw_type == "Settled"
    assert payment.processor_reference == "5364893193133131"
    assert payment.merchant_reference == "33992337.0"
    assert payment.booked_at == datetime(2016, 2, 19, 0, 10, 51, tzinfo=UTC)  # 16:10:51 PST
    assert payment.gross == usd(100)
    assert payment.net == usd(76)
    assert payment.fee == usd(24)
    assert payment.fee_breakdown == {"scheme_fee": usd(2), "interchange": usd(22)}
    assert payment.payout_id == "2"
    assert payment.exchange_rate == "1"
    assert payment.raw["Payment Method Variant"] == "visadebit"
    assert payout.record_type == "payout"
    assert payout.processor_reference == "TX2342222277XT batch 2, WikimediaCOM batch 2, WikimediaCOM"
    assert payout.gross is None
    assert payout.net == usd(-76)
    assert payout.fee == usd(0)


def test_refund_fee_and_payout_rows():
    refund, fee, payout = parse_adyen(sample("refund")).lines
    assert [line.line_number for line in (refund, fee, payout)] == [2, 3, 4]
    assert refund.record_type == "refund"
    assert refund.gross == usd(-100)
    assert refund.net == usd(-100)
    assert refund.fee == usd(0)
    assert refund.booked_at == datetime(2016, 2, 10, 18, 25, 36, tzinfo=UTC)
    assert fee.record_type == "fee"
    assert fee.processor_reference == "Transaction Fees February  2016"
    assert fee.net == usd(-180)
    assert fee.fee == usd(180)  # the Fee row is itself the charge
    assert payout.net == usd(-403)
    assert {line.payout_id for line in (refund, fee, payout)} == {"3"}


def test_chargeback_carries_commission():
    chargeback = parse_adyen(sample("chargeback")).lines[0]
    assert chargeback.record_type == "chargeback"
    assert chargeback.gross == usd(-100)
    assert chargeback.net == usd(-300)
    assert chargeback.fee == usd(200)
    assert chargeback.fee_breakdown == {"commission": usd(200)}


def test_newer_long_layout_with_invoice_deductions():
    report = parse_adyen(sample("invoice_deduction"))
    assert report.report_id == "1136"
    first, second = report.lines
    assert first.record_type == second.record_type == "fee"
    assert first.raw_type == "InvoiceDeduction"
    assert first.processor_reference == "Invoice US202510000533 Discounts and additional costs (1/2)"
    assert first.merchant_reference is None
    assert first.booked_at == datetime(2025, 10, 31, 11, 5, 39, tzinfo=UTC)  # 04:05:39 PDT
    assert first.net == usd(-6)
    assert first.fee_breakdown == {"payment_fee": usd(14)}
    assert first.raw["ARN"] == "1.2302025304E+022"
    assert first.raw["Balance Currency"] == "INR"
    assert second.net == usd(3)
    assert second.fee == usd(-3)  # a credited deduction is a fee returned


@pytest.mark.parametrize("name", ["donation", "refund", "chargeback"])
def test_net_is_gross_minus_fee_on_single_currency_rows(name):
    for line in parse_adyen(sample(name)).lines:
        if line.gross is not None and line.net is not None:
            assert line.net == line.gross - line.fee


def test_columns_are_found_by_name_in_any_order():
    rows = list(csv.reader(io.StringIO(sample("donation").decode())))
    reordered = [list(reversed(row)) for row in rows]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(reordered)
    assert parse_adyen(buffer.getvalue().encode()).lines == parse_adyen(sample("donation")).lines


def test_non_decimal_amount_is_rejected_with_line_and_column():
    corrupted = sample("donation").replace(b",USD,,1.00,1,USD,", b",USD,,abc,1,USD,")
    with pytest.raises(ParseError) as caught:
        parse_adyen(corrupted, filename="donation.csv")
    assert [(p.line, p.field) for p in caught.value.problems] == [(2, "Gross Credit (GC)")]
    assert "line 2, field 'Gross Credit (GC)': not a decimal: 'abc'" in str(caught.value)
    assert "'donation.csv'" in str(caught.value)


def test_every_bad_row_is_reported_not_just_the_first():
    lines = sample("refund").decode().splitlines()
    lines[1] = lines[1].replace(",1.00,,1,USD,", ",1.005,,1,USD,")  # more decimals than USD has
    lines[2] = "Wikimedia,WikimediaCOM,,,,2016-02-15"  # truncated row
    with pytest.raises(ParseError) as caught:
        parse_adyen("\n".join(lines).encode())
    problems = caught.value.problems
    assert [(p.line, p.field) for p in problems] == [(2, "Gross Debit (GC)"), (3, None)]
    assert problems[0].reason == "1.005 has more decimals than USD allows"
    assert problems[1].reason == "expected 30 fields, found 6 (truncated row?)"


def test_time_zone_abbreviation_not_in_force_is_refused():
    corrupted = sample("donation").replace(b"2016-02-18 16:10:51,PST", b"2016-02-18 16:10:51,PDT")
    with pytest.raises(ParseError) as caught:
        parse_adyen(corrupted)
    assert caught.value.problems[0].line == 2
    assert caught.value.problems[0].field == "TimeZone"


def test_missing_column_is_reported_on_the_header():
    corrupted = sample("donation").replace(b"Batch Number", b"Batch No", 1)
    with pytest.raises(ParseError) as caught:
        parse_adyen(corrupted)
    assert str(caught.value.problems[0]) == "line 1, field 'Batch Number': column missing from header"


@pytest.mark.parametrize(("zone", "hour_utc"), [("PDT", 8), ("PST", 9)])
def test_abbreviation_picks_the_side_of_the_repeated_fall_back_hour(zone, hour_utc):
    repeated = sample("donation").replace(b"2016-02-18 16:10:51,PST", f"2016-11-06 01:30:00,{zone}".encode())
    assert parse_adyen(repeated).lines[0].booked_at == datetime(2016, 11, 6, hour_utc, 30, tzinfo=UTC)
