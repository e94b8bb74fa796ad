"""BAI2: the two real samples (one is the BAI spec's worked example), plus corrupted copies."""

from datetime import date
from pathlib import Path

import pytest
from canon.money import Money
from connectors.bank import parse_bai2
from connectors.errors import ParseError

SAMPLES = Path(__file__).resolve().parents[4] / ".." / "shared" / "samples" / "bai2"
SAMPLE1 = (SAMPLES / "moov_sample1.txt").read_bytes()
SAMPLE2 = (SAMPLES / "moov_sample2.txt").read_bytes()


def cad(minor: int) -> Money:
    return Money(amount_minor=minor, currency="CAD")


def usd(minor: int) -> Money:
    return Money(amount_minor=minor, currency="USD")


def test_canadian_file_two_account_sections():
    first, second = parse_bai2(SAMPLE1)
    assert first.source_format == "bai2"
    assert first.statement_id == "0004:001:2006-03-21:1.1"
    assert second.statement_id == "0004:001:2006-03-21:1.2"
    assert first.account == second.account == "10200123456"
    assert first.currency == "CAD"
    assert first.opening_balance is None  # only available balances (040/045) are given
    assert len(first.lines) == 11
    assert len(second.lines) == 6
    returned = first.lines[0]
    assert returned.line_number == 5
    assert returned.amount == cad(-2500)
    assert returned.description == "RETURNED CHEQUE"
    assert returned.bank_transaction_code == "409"
    assert returned.booked_on == date(2006, 3, 17)
    assert returned.value_date == date(2006, 3, 16)
    assert returned.reference is None
    assert first.lines[3].amount == cad(203500)
    assert first.lines[3].description == "TFR 1020 0345678"
    assert sum(line.amount.amount_minor for line in first.lines) == 0  # 2085.00 in, 2085.00 out


def test_spec_example_with_continued_summary_and_detail_records():
    statements = parse_bai2(SAMPLE2)
    assert [s.account for s in statements] == [
        "0123456789",
        "9876543210",
        "4589761203",
        "0975312468",
        "7890654321",
    ]
    assert [s.opening_balance for s in statements] == [
        usd(4350000),
        usd(-500000),
        usd(10000000),
        usd(500000),
        usd(800000),
    ]
    assert [len(s.lines) for s in statements] == [1, 1, 2, 0, 0]
    lock_box = statements[1].lines[0]
    assert lock_box.amount == usd(500000)
    assert lock_box.description == "LOCK BOX NO.68751"
    letter_of_credit, other = statements[2].lines
    assert letter_of_credit.line_number == 16
    assert letter_of_credit.amount == usd(20000000)
    assert letter_of_credit.reference == "SP4738"
    assert letter_of_credit.raw["customer_reference"] == "YRC065321"
    assert letter_of_credit.description == "PROCEEDS OF LETTER OF CREDIT FROM THE ARAMCO OIL CO"
    assert letter_of_credit.value_date == date(2004, 6, 22)
    assert letter_of_credit.booked_on == date(2004, 6, 20)
    assert other.amount == usd(10000000)
    assert other.bank_transaction_code == "195"


def test_non_numeric_amount_is_reported_with_its_line():
    corrupted = SAMPLE1.replace(
        b"16,409,000000000002500,V,060316,,,,RETURNED", b"16,409,0000000000025X0,V,060316,,,,RETURNED"
    )
    with pytest.raises(ParseError) as caught:
        parse_bai2(corrupted)
    assert (
        str(caught.value.problems[0])
        == "line 5, field 'amount': not a whole number of minor units: '0000000000025X0'"
    )


def test_altered_amount_breaks_the_control_totals():
    altered = SAMPLE1.replace(
        b"16,409,000000000090000,V,060316,,,,RTN", b"16,409,000000000080000,V,060316,,,,RTN"
    )
    with pytest.raises(ParseError) as caught:
        parse_bai2(altered)
    assert [(p.line, p.field) for p in caught.value.problems] == [
        (16, "control total"),  # 49 account trailer
        (26, "control total"),  # 98 group trailer
        (27, "control total"),  # 99 file trailer
    ]
    assert caught.value.problems[0].reason == "says 834000, the records add up to 824000"


def test_truncated_file_is_refused():
    truncated = b"\n".join(SAMPLE1.splitlines()[:12])
    with pytest.raises(ParseError) as caught:
        parse_bai2(truncated)
    assert str(caught.value.problems[-1]) == "line 12: file ends without a 99 file trailer (truncated?)"


def test_detail_type_code_without_direction_is_refused():
    corrupted = SAMPLE1.replace(b"16,409,000000000000500,V,060316", b"16,999,000000000000500,V,060316")
    with pytest.raises(ParseError) as caught:
        parse_bai2(corrupted)
    assert caught.value.problems[0].line == 7
    assert caught.value.problems[0].field == "type code"
