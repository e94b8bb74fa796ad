"""Stripe itemized payout reconciliation report: files written here from Stripe's column reference."""

from datetime import UTC, datetime

import pytest
from canon.money import Money
from connectors.errors import ParseError
from connectors.settlement import parse_stripe

HEADER = (
    "automatic_payout_id,automatic_payout_effective_at,balance_transaction_id,created_utc,available_on_utc,"
    "currency,gross,fee,net,reporting_category,source_id,description,charge_id,payment_intent_id,"
    "payment_metadata[order_id]"
)
ROWS = [
    "po_1PAYOUT,2024-03-05 00:00:00,txn_1,2024-03-01 10:15:00,2024-03-05 00:00:00,usd,100.00,3.20,96.80,"
    "charge,ch_1,Order 1001,ch_1,pi_1,1001",
    "po_1PAYOUT,2024-03-05 00:00:00,txn_2,2024-03-02 09:00:00,2024-03-05 00:00:00,usd,-25.00,0.00,-25.00,"
    "refund,re_1,Refund for 1001,ch_1,pi_1,1001",
    "po_1PAYOUT,2024-03-05 00:00:00,txn_3,2024-03-03 12:30:00,2024-03-05 00:00:00,usd,-50.00,15.00,-65.00,"
    "dispute,dp_1,Chargeback,ch_2,pi_2,1002",
    "po_1PAYOUT,2024-03-05 00:00:00,txn_4,2024-03-04 00:00:00,2024-03-05 00:00:00,usd,-0.05,0.00,-0.05,"
    'fee,,"Radar, per screen",,,',
]


def report_bytes(rows: list[str] = ROWS, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def usd(minor: int) -> Money:
    return Money(amount_minor=minor, currency="USD")


def test_payout_lines_by_reporting_category():
    report = parse_stripe(report_bytes())
    assert report.source_format == "stripe"
    assert report.report_id == "po_1PAYOUT"
    assert [line.line_number for line in report.lines] == [2, 3, 4, 5]
    assert [line.record_type for line in report.lines] == ["payment", "refund", "chargeback", "fee"]
    assert [line.gross for line in report.lines] == [usd(10000), usd(-2500), usd(-5000), usd(-5)]
    assert [line.fee for line in report.lines] == [usd(320), usd(0), usd(1500), usd(0)]
    assert [line.net for line in report.lines] == [usd(9680), usd(-2500), usd(-6500), usd(-5)]
    assert {line.payout_id for line in report.lines} == {"po_1PAYOUT"}


def test_charge_references_and_time():
    charge = parse_stripe(report_bytes()).lines[0]
    assert charge.processor_reference == "ch_1"
    assert charge.merchant_reference == "1001"
    assert charge.raw_type == "charge"
    assert charge.booked_at == datetime(2024, 3, 1, 10, 15, tzinfo=UTC)
    assert charge.fee_breakdown == {"stripe_fee": usd(320)}
    assert charge.raw["balance_transaction_id"] == "txn_1"


def test_row_without_charge_falls_back_to_the_balance_transaction():
    fee = parse_stripe(report_bytes()).lines[3]
    assert fee.processor_reference == "txn_4"
    assert fee.merchant_reference is None
    assert fee.raw["description"] == "Radar, per screen"


def test_net_that_is_not_gross_minus_fee_is_refused():
    rows = [ROWS[0].replace(",96.80,", ",96.81,"), *ROWS[1:]]
    with pytest.raises(ParseError) as caught:
        parse_stripe(report_bytes(rows))
    assert (
        str(caught.value.problems[0])
        == "line 2, field 'net': net 96.81 USD is not gross 100.00 USD minus fee 3.20 USD"
    )


def test_every_bad_row_is_reported():
    rows = [
        ROWS[0],
        ROWS[1].replace("-25.00,0.00", "-25.00,zero"),
        ROWS[2][:30],
        ROWS[3].replace(",usd,", ",usx,"),
    ]
    with pytest.raises(ParseError) as caught:
        parse_stripe(report_bytes(rows))
    assert [(p.line, p.field) for p in caught.value.problems] == [(3, "fee"), (4, None), (5, "currency")]
    assert caught.value.problems[0].reason == "not a decimal: 'zero'"


def test_local_created_column_is_read_in_the_report_time_zone():
    header = HEADER.replace("created_utc", "created")
    line = parse_stripe(report_bytes(ROWS[:1], header), report_timezone="America/New_York").lines[0]
    assert line.booked_at == datetime(2024, 3, 1, 15, 15, tzinfo=UTC)


def test_missing_required_column_is_reported_on_line_one():
    with pytest.raises(ParseError) as caught:
        parse_stripe(report_bytes(header=HEADER.replace("reporting_category", "category")))
    assert str(caught.value.problems[0]) == "line 1, field 'reporting_category': column missing from header"
