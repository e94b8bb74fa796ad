"""MT940: the two real samples (ABN AMRO and German SEPA), plus corrupted and generated files."""

from datetime import date
from pathlib import Path

import pytest
from canon.money import Money
from connectors.bank import parse_mt940
from connectors.errors import ParseError
from hypothesis import given
from hypothesis import strategies as st

SAMPLES = Path(__file__).resolve().parents[4] / ".." / "shared" / "samples" / "mt940"
ABN = (SAMPLES / "jejik_abnamro.sta").read_bytes()
SEPA = (SAMPLES / "betterplace_sepa_snippet.sta").read_bytes()


def eur(minor: int) -> Money:
    return Money(amount_minor=minor, currency="EUR")


def test_abn_amro_two_statements_after_bank_header_lines():
    first, second = parse_mt940(ABN)
    assert first.source_format == "mt940"
    assert (first.statement_id, second.statement_id) == ("517852257/19321/1", "517852257/19322/1")
    assert first.account == "517852257"
    assert (first.opening_balance, first.closing_balance) == (eur(323628), eur(87684))
    assert (second.opening_balance, second.closing_balance) == (eur(287684), eur(184975))  # :60M: / :62M:
    assert [line.amount for line in first.lines] == [
        eur(-900), eur(-1159), eur(-1163), eur(-1180), eur(-1345), eur(-1549), eur(-10700), eur(-14148)
    ]  # fmt: skip
    giro = first.lines[0]
    assert giro.line_number == 8
    assert giro.booked_on == date(2011, 5, 24)
    assert giro.bank_transaction_code == "N192"
    assert giro.reference is None  # NONREF
    assert giro.description == (
        "GIRO 428428 KPN - DIGITENNE BETALINGSKENM. 000000042188659 5314606715 "
        "BETREFT FACTUUR D.D. 20-05-2011 INCL. 1,44 BTW"
    )
    card = first.lines[1]
    assert (card.value_date, card.booked_on) == (date(2011, 5, 21), date(2011, 5, 23))
    assert card.description == "BEA NR:XXX1234 21.05.11/12.54 DIRCKIII FIL2500 KATWIJK,PAS999"
    assert [line.amount for line in second.lines] == [eur(-949), eur(-1500)]


def test_german_sepa_structured_details():
    first, second = parse_mt940(SEPA)
    assert first.statement_id == "50880050/0194787400888/00004/00001"
    assert first.account == "50880050/0194787400888"
    assert (first.opening_balance, first.closing_balance) == (eur(76665649), eur(112525040))
    credit = first.lines[0]
    assert credit.line_number == 5
    assert credit.amount == eur(5099005)
    assert credit.value_date == date(2007, 9, 7)
    assert credit.booked_on == date(2007, 9, 4)
    assert credit.bank_transaction_code == "NTRF"
    assert credit.reference == "EndToEndId TFNR 22 004 00001"
    assert credit.description == "Verw CTSc-01 BC-PPP TFNr 22 004"
    assert credit.counterparty == "KARL KAUFMANN"
    assert credit.raw["?31"] == "DE14508800500194785000"
    assert credit.raw["gvc"] == "166"
    assert credit.raw["bank_reference"] == "0724710333343453"
    assert first.lines[3].amount == eur(-150000)
    assert (second.opening_balance, second.closing_balance) == (eur(-197043187), eur(-447204909))
    assert [line.amount for line in second.lines] == [
        eur(-8), eur(33533), eur(1500000), eur(1500005), eur(12500488), eur(91531155), eur(-357256903)
    ]  # fmt: skip
    assert second.lines[4].reference == "0724710290624796"  # no EREF: the bank's reference
    assert second.lines[4].counterparty == "Richter Renate 70 Zeichen Beginn Fuellzeichen xxxxxxxx"


def test_corrupted_amount_is_refused_not_misread():
    corrupted = ABN.replace(b":61:1105210523D11,59N426NONREF", b":61:1105210523D11X59N426NONREF")
    with pytest.raises(ParseError) as caught:
        parse_mt940(corrupted)
    assert str(caught.value.problems[0]).startswith("line 12, field ':61:': not a statement line")


def test_statement_cut_before_its_closing_balance_is_refused():
    truncated = b"\n".join(ABN.splitlines()[:20])
    with pytest.raises(ParseError) as caught:
        parse_mt940(truncated)
    assert (
        str(caught.value.problems[0])
        == "line 4, field ':62F:': statement has no closing balance (truncated?)"
    )


def test_every_bad_field_is_reported():
    corrupted = ABN.replace(b":60F:C110522EUR3236,28", b":60F:C110522EUR32X6,28")
    corrupted = corrupted.replace(b":61:1105240524D9,49N426", b":61:1113400524D9,49N426")
    with pytest.raises(ParseError) as caught:
        parse_mt940(corrupted)
    assert [(p.line, p.field) for p in caught.value.problems] == [(7, ":60F:"), (36, ":61: value date")]


def _statement(amounts: list[int]) -> bytes:
    lines = [":20:REF1", ":25:NL00BANK0123456789", ":28C:1/1", ":60F:C240101EUR0,00"]
    for cents in amounts:
        mark = "C" if cents >= 0 else "D"
        lines += [f":61:2401020102{mark}{abs(cents) // 100},{abs(cents) % 100:02d}NTRFNONREF", ":86:test"]
    total = sum(amounts)
    mark = "C" if total >= 0 else "D"
    lines += [f":62F:{mark}240102EUR{abs(total) // 100},{abs(total) % 100:02d}", "-"]
    return "\n".join(lines).encode()


@given(st.lists(st.integers(min_value=-(10**12), max_value=10**12), max_size=20))
def test_generated_statements_read_back_exactly(amounts):
    (statement,) = parse_mt940(_statement(amounts))
    assert [line.amount.amount_minor for line in statement.lines] == amounts
    assert statement.closing_balance == eur(sum(amounts))
