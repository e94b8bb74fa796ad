"""Format sniffing: every sample goes to its own parser; unknown content is refused."""

from pathlib import Path

import pytest
from connectors import bank, settlement
from connectors.errors import ParseError

SAMPLES = Path(__file__).resolve().parents[4] / ".." / "shared" / "samples"

STRIPE = (
    b"balance_transaction_id,created_utc,currency,gross,fee,net,reporting_category\n"
    b"txn_1,2024-03-01 10:15:00,usd,10.00,0.59,9.41,charge\n"
)
AMAZON = (
    b"settlement-id\tsettlement-start-date\tsettlement-end-date\ttotal-amount\tcurrency\ttransaction-type\t"
    b"order-id\tamount-type\tamount-description\tamount\tposted-date\n"
    b"42\t2024-03-01 00:00:00 UTC\t2024-03-15 00:00:00 UTC\t5.00\tEUR\t\t\t\t\t\t\n"
    b"42\t\t\t\t\tOrder\t302-1\tItemPrice\tPrincipal\t5,00\t2024-03-02\n"
)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("adyen_settlement/settlement_detail_report_donation.csv", "adyen"),
        ("adyen_settlement/settlement_detail_report_invoice_deduction.csv", "adyen"),
        ("paypal_stl/stl.csv", "paypal"),
        ("paypal_stl/stl_currency_convert.csv", "paypal"),
        ("braintree_settlement/raw_settlement_batch_report.json", "braintree"),
    ],
)
def test_settlement_samples_are_recognised(path, expected):
    content = (SAMPLES / path).read_bytes()
    assert settlement.sniff_settlement_format(content) == expected
    assert settlement.detect_and_parse(content, path).source_format == expected


def test_stripe_and_amazon_are_recognised():
    assert settlement.detect_and_parse(STRIPE, "payouts.csv").source_format == "stripe"
    report = settlement.detect_and_parse(AMAZON, "settlement.txt")
    assert report.source_format == "amazon"
    assert report.report_id == "42"


@pytest.mark.parametrize(
    ("path", "expected", "statements"),
    [
        ("camt053/genkgo_camt053.v2.multi.statement.xml", "camt053", 2),
        ("camt053/oca_test-camt053.xml", "camt053", 1),
        ("bai2/moov_sample1.txt", "bai2", 2),
        ("bai2/moov_sample2.txt", "bai2", 5),
        ("mt940/jejik_abnamro.sta", "mt940", 2),
        ("mt940/betterplace_sepa_snippet.sta", "mt940", 2),
    ],
)
def test_bank_samples_are_recognised(path, expected, statements):
    content = (SAMPLES / path).read_bytes()
    assert bank.sniff_bank_format(content, path) == expected
    parsed = bank.detect_and_parse(content, path)
    assert len(parsed) == statements
    assert {statement.source_format for statement in parsed} == {expected}


def test_unknown_content_is_refused_by_both():
    with pytest.raises(ParseError, match="not a recognised settlement file"):
        settlement.detect_and_parse(b"hello,world\n1,2\n", "x.csv")
    with pytest.raises(ParseError, match="not a recognised bank statement"):
        bank.detect_and_parse(b"<html></html>", "x.xml")
