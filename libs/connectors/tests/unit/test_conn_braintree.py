"""Braintree settlement batch JSON: the real sample, plus corrupted and synthetic variants."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from canon.money import Money
from connectors.errors import ParseError
from connectors.settlement import parse_braintree

SAMPLE = (
    Path(__file__).resolve().parents[4]
    / ".."
    / "shared"
    / "samples"
    / "braintree_settlement"
    / "raw_settlement_batch_report.json"
).read_bytes()


def usd(minor: int) -> Money:
    return Money(amount_minor=minor, currency="USD")


def test_three_settled_transactions_with_their_lines():
    report = parse_braintree(SAMPLE)
    assert report.source_format == "braintree"
    assert report.report_id == "wikimediafoundation_instant/2025-12-22"
    assert [line.line_number for line in report.lines] == [2, 43, 82]
    assert [line.processor_reference for line in report.lines] == ["abcde", "efg", "fghij"]
    assert [line.merchant_reference for line in report.lines] == ["24315.1", "24317.1", "24316.1"]
    assert [line.gross for line in report.lines] == [usd(310), usd(300), usd(310)]
    assert [line.net for line in report.lines] == [usd(310), usd(300), usd(310)]


def test_settlement_batch_time_and_disbursement():
    line = parse_braintree(SAMPLE).lines[0]
    assert line.record_type == "payment"
    assert line.raw_type == "SETTLED"
    assert line.report_id == "2025-12-21_wikimediafoundation_instant_58hbprvz"
    assert line.booked_at == datetime(2025, 12, 21, 23, 13, 10, tzinfo=UTC)
    assert line.fee == usd(0)
    assert line.fee_breakdown == {}
    assert line.payout_id == "wikimediafoundation_instant/2025-12-22"
    assert line.exchange_rate == "1"
    assert line.original is None
    assert line.raw["customFields.0.value"] == "Donald Duck"
    assert line.raw["paymentMethodSnapshot.venmoUserId"] == "4021"


def _element_line(text: str, transaction_id: str) -> int:
    lines = text.splitlines()
    return next(number for number, line in enumerate(lines, 1) if f'"id": "{transaction_id}"' in line) - 1


def test_bad_amount_and_bad_date_are_reported_with_the_transaction_line():
    data = json.loads(SAMPLE)
    data[1]["amount"]["value"] = "3.0x"
    data[2]["statusHistory"][0]["timestamp"] = "yesterday"
    text = json.dumps(data, indent=2)
    with pytest.raises(ParseError) as caught:
        parse_braintree(text.encode())
    assert [str(problem) for problem in caught.value.problems] == [
        f"line {_element_line(text, 'efg')}, field 'amount.value': not a decimal: '3.0x'",
        f"line {_element_line(text, 'fghij')}, field 'statusHistory.0.timestamp': "
        "not an ISO 8601 date-time: 'yesterday'",
    ]


def test_truncated_json_is_rejected_with_a_line():
    with pytest.raises(ParseError) as caught:
        parse_braintree(SAMPLE[:-60])
    assert caught.value.problems[0].reason.startswith("malformed JSON")
    assert caught.value.problems[0].line > 80


def test_refund_is_negative_and_unsettled_state_is_refused():
    data = json.loads(SAMPLE)
    data[0]["refundedTransaction"] = {"id": "zzz"}
    data[1]["status"] = "VOIDED"
    with pytest.raises(ParseError, match="'VOIDED' is not a settled state"):
        parse_braintree(json.dumps(data).encode())
    del data[1]
    refund = parse_braintree(json.dumps(data).encode()).lines[0]
    assert refund.record_type == "refund"
    assert refund.gross == usd(-310)
    assert refund.net == usd(-310)


def test_disbursement_in_another_currency_keeps_the_original():
    data = json.loads(SAMPLE)[:1]
    data[0]["disbursementDetails"]["amount"] = {"value": "2.85", "currencyCode": "EUR"}
    data[0]["disbursementDetails"]["exchangeRate"] = "0.92"
    data[0]["disbursementDetails"]["date"] = "2025-12-23"
    line = parse_braintree(json.dumps(data).encode()).lines[0]
    assert line.net == Money(amount_minor=285, currency="EUR")
    assert line.original == usd(310)
    assert line.exchange_rate == "0.92"
    assert line.fee == usd(0)


def test_gross_minus_net_in_one_currency_is_the_processing_fee():
    data = json.loads(SAMPLE)[:1]
    data[0]["disbursementDetails"]["amount"]["value"] = "2.98"
    line = parse_braintree(json.dumps(data).encode()).lines[0]
    assert line.fee == usd(12)
    assert line.fee_breakdown == {"processing": usd(12)}
