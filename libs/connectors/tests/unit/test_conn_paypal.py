"""PayPal settlement report (STL): the two real samples, plus corrupted and synthetic copies."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from canon.money import Money
from connectors.errors import ParseError
from connectors.settlement import parse_paypal

SAMPLES = Path(__file__).resolve().parents[4] / ".." / "shared" / "samples" / "paypal_stl"
STL = (SAMPLES / "stl.csv").read_bytes()
CONVERT = (SAMPLES / "stl_currency_convert.csv").read_bytes()


def money(minor: int, currency: str) -> Money:
    return Money(amount_minor=minor, currency=currency)


def test_report_identity_and_period_come_from_the_section_header():
    report = parse_paypal(STL)
    assert report.source_format == "paypal"
    assert report.report_id == "EZ782AXEUJUW8/2026-01-06"
    assert report.period_start == datetime(2026, 1, 6, 8, 0, 0, tzinfo=UTC)  # 00:00:00 -0800
    assert report.period_end == datetime(2026, 1, 7, 7, 59, 59, tzinfo=UTC)
    assert [line.line_number for line in report.lines] == [3, 4, 5, 6, 7]
    assert [line.raw_type for line in report.lines] == ["T0006", "T0006", "T0003", "T1107", "T0400"]
    assert [line.record_type for line in report.lines] == [
        "payment",
        "payment",
        "payment",
        "refund",
        "payout",
    ]


def test_payment_amounts_are_hundredths_with_fee_debited():
    payment = parse_paypal(STL).lines[0]
    assert payment.processor_reference == "5678"
    assert payment.merchant_reference == "2444.1"
    assert payment.booked_at == datetime(2026, 1, 6, 8, 0, 30, tzinfo=UTC)
    assert payment.gross == money(5200, "AUD")
    assert payment.fee == money(225, "AUD")
    assert payment.net == money(4975, "AUD")
    assert payment.fee_breakdown == {"transaction_fee": money(225, "AUD")}
    assert payment.raw["Consumer ID"] == "YM2C"


def test_refund_returns_part_of_the_fee_and_withdrawal_is_a_payout():
    lines = parse_paypal(STL).lines
    refund, withdrawal = lines[3], lines[4]
    assert refund.gross == money(-134, "GBP")
    assert refund.fee == money(-47, "GBP")
    assert refund.net == money(-87, "GBP")
    assert withdrawal.gross == money(-100, "GBP")
    assert withdrawal.fee == money(0, "GBP")
    assert withdrawal.payout_id == "1047428557493"
    assert withdrawal.merchant_reference is None


def test_currency_conversion_legs_are_paired():
    payment, debit_leg, credit_leg = parse_paypal(CONVERT).lines
    assert payment.gross == money(2200, "BRL")
    assert payment.net == money(1840, "BRL")
    assert debit_leg.record_type == credit_leg.record_type == "currency_conversion"
    assert debit_leg.gross == money(-1840, "BRL")
    assert debit_leg.original is None
    assert credit_leg.gross == money(327, "USD")
    assert credit_leg.original == money(1840, "BRL")


def test_amounts_are_hundredths_even_for_zero_decimal_currencies():
    jpy = STL.replace(b'5200,"AUD","DR",225,"AUD"', b'10000,"JPY","DR",300,"JPY"')
    payment = parse_paypal(jpy).lines[0]
    assert payment.gross == money(100, "JPY")
    assert payment.fee == money(3, "JPY")


def test_decimal_point_in_amount_is_rejected_with_its_line():
    corrupted = STL.replace(b'"CR",5200,"AUD"', b'"CR",52.00,"AUD"')
    with pytest.raises(ParseError) as caught:
        parse_paypal(corrupted)
    assert str(caught.value.problems[0]) == (
        "line 3, field 'Gross Transaction Amount': not a whole number of hundredths: '52.00'"
    )


def test_truncated_row_and_bad_direction_are_both_reported():
    lines = STL.decode().splitlines()
    lines[3] = lines[3][:40]
    lines[4] = lines[4].replace('"CR",834', '"XX",834')
    with pytest.raises(ParseError) as caught:
        parse_paypal("\n".join(lines).encode())
    problems = caught.value.problems
    assert [(p.line, p.field) for p in problems] == [(4, None), (5, "Transaction Debit or Credit")]
    assert problems[0].reason == "expected 22 fields, found 7"


def test_section_count_must_match_body_rows():
    counted = STL.replace(b'"SF","GBP"', b'"SC",4\n"SF","GBP"')
    with pytest.raises(ParseError) as caught:
        parse_paypal(counted)
    assert caught.value.problems[0].line == 8
    assert caught.value.problems[0].reason == "section count says '4' SB rows, the section has 5"
    assert len(parse_paypal(STL.replace(b'"SF","GBP"', b'"SC",5\n"SF","GBP"')).lines) == 5


def test_file_without_section_header_has_no_identity():
    headless = b"\n".join(STL.splitlines()[1:])
    with pytest.raises(ParseError, match="no SH section header"):
        parse_paypal(headless)
