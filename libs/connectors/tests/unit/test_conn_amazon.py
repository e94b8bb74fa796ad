"""Amazon settlement flat file V2: files written here from Amazon's published column list."""

from datetime import UTC, datetime

import pytest
from canon.money import Money
from connectors.errors import ParseError
from connectors.settlement import parse_amazon

COLUMNS = [
    "settlement-id", "settlement-start-date", "settlement-end-date", "deposit-date", "total-amount",
    "currency", "transaction-type", "order-id", "merchant-order-id", "adjustment-id", "shipment-id",
    "marketplace-name", "amount-type", "amount-description", "amount", "fulfillment-id", "posted-date",
    "posted-date-time", "order-item-code", "merchant-order-item-id", "merchant-adjustment-item-id", "sku",
    "quantity-purchased", "promotion-id",
]  # fmt: skip
ORDER = "111-2223334-5556667"


def row(**values: str) -> str:
    return "\t".join(values.get(name.replace("-", "_"), "") for name in COLUMNS)


def order_row(amount_type: str, description: str, amount: str, transaction_type: str = "Order") -> str:
    return row(
        settlement_id="1234567890",
        transaction_type=transaction_type,
        order_id=ORDER,
        merchant_order_id="SO-1001",
        shipment_id="DxYz123",
        marketplace_name="Amazon.com",
        amount_type=amount_type,
        amount_description=description,
        amount=amount,
        fulfillment_id="AFN",
        posted_date="2024-03-02",
        posted_date_time="2024-03-02 10:11:12 UTC",
        sku="ABC-1",
        quantity_purchased="1",
    )


SUMMARY = row(
    settlement_id="1234567890",
    settlement_start_date="2024-03-01 00:00:00 UTC",
    settlement_end_date="2024-03-15 00:00:00 UTC",
    deposit_date="2024-03-17 00:00:00 UTC",
    total_amount="87.40",
    currency="USD",
)
ROWS = [
    order_row("ItemPrice", "Principal", "100.00"),
    order_row("ItemPrice", "Tax", "8.00"),
    order_row("ItemFees", "Commission", "-15.00"),
    order_row("ItemFees", "FBAPerUnitFulfillmentFee", "-3.60"),
    order_row("ItemPrice", "Principal", "-2.00", transaction_type="Refund"),
]


def flat_file(rows: list[str] = ROWS, summary: str = SUMMARY) -> bytes:
    return ("\n".join(["\t".join(COLUMNS), summary, *rows]) + "\n").encode()


def usd(minor: int) -> Money:
    return Money(amount_minor=minor, currency="USD")


def test_summary_gives_identity_period_and_total():
    report = parse_amazon(flat_file())
    assert report.source_format == "amazon"
    assert report.report_id == "1234567890"
    assert report.period_start == datetime(2024, 3, 1, tzinfo=UTC)
    assert report.period_end == datetime(2024, 3, 15, tzinfo=UTC)
    assert report.totals == {"USD": usd(8740)}
    assert [line.line_number for line in report.lines] == [3, 4, 5, 6, 7]


def test_amount_rows_by_type():
    lines = parse_amazon(flat_file()).lines
    assert [line.record_type for line in lines] == ["payment", "payment", "commission", "fee", "refund"]
    assert [line.net for line in lines] == [usd(10000), usd(800), usd(-1500), usd(-360), usd(-200)]
    assert [line.gross for line in lines] == [usd(10000), usd(800), None, None, usd(-200)]
    assert [line.fee for line in lines] == [usd(0), usd(0), usd(1500), usd(360), usd(0)]
    assert lines[2].fee_breakdown == {"commission": usd(1500)}
    assert lines[3].fee_breakdown == {"fba_per_unit_fulfillment_fee": usd(360)}
    assert lines[3].raw_type == "Order/ItemFees/FBAPerUnitFulfillmentFee"


def test_order_references_and_posting_time():
    principal = parse_amazon(flat_file()).lines[0]
    assert principal.processor_reference == ORDER
    assert principal.merchant_reference == "SO-1001"
    assert principal.payout_id == "1234567890"
    assert principal.booked_at == datetime(2024, 3, 2, 10, 11, 12, tzinfo=UTC)
    assert principal.raw["sku"] == "ABC-1"


def test_a_missing_row_breaks_the_declared_total():
    with pytest.raises(ParseError) as caught:
        parse_amazon(flat_file(ROWS[:-1]))
    assert str(caught.value.problems[0]) == (
        "line 2, field 'total-amount': says 87.40 USD but the rows add up to 89.40 USD"
    )


def test_every_bad_row_is_reported_with_its_line():
    rows = [ROWS[0], ROWS[1].replace("\t8.00\t", "\t8.0O\t"), ROWS[2], ROWS[3][:40], ROWS[4]]
    with pytest.raises(ParseError) as caught:
        parse_amazon(flat_file(rows))
    assert [(p.line, p.field) for p in caught.value.problems] == [(4, "amount"), (6, None)]
    assert caught.value.problems[0].reason == "not a decimal: '8.0O'"


def test_european_dates_and_decimal_comma():
    summary = SUMMARY.replace("2024-03-01 00:00:00 UTC", "01.03.2024 00:00:00 UTC").replace("87.40", "87,40")
    rows = [r.replace("2024-03-02 10:11:12 UTC", "").replace("2024-03-02", "02.03.2024") for r in ROWS]
    rows = [r.replace("\t-3.60\t", "\t-3,60\t") for r in rows]
    report = parse_amazon(flat_file(rows, summary))
    assert report.period_start == datetime(2024, 3, 1, tzinfo=UTC)
    assert report.lines[3].net == usd(-360)
    assert report.lines[0].booked_at == datetime(2024, 3, 2, tzinfo=UTC)


def test_reserve_row_without_posting_date_is_booked_at_settlement_end():
    reserve = row(
        settlement_id="1234567890",
        transaction_type="other-transaction",
        amount_type="other-transaction",
        amount_description="Current Reserve Amount",
        amount="-10.00",
    )
    summary = SUMMARY.replace("87.40", "77.40")
    line = parse_amazon(flat_file([*ROWS, reserve], summary)).lines[-1]
    assert line.record_type == "reserve"
    assert line.booked_at == datetime(2024, 3, 15, tzinfo=UTC)
    assert line.processor_reference == "1234567890:8"
