"""The demo's generated day (pure): the files parse with the connectors the services use, every sale
balances, the planted anomalies are where the demo says, and the same seed gives the same bytes."""

from datetime import date

import msgspec
from canon.sales import validate_transaction
from connectors.bank import detect_and_parse as parse_bank
from connectors.sales.shopify import parse_order
from connectors.settlement import detect_and_parse as parse_settlement
from retail_sync_cli.demo.day import DRIFTS, DemoSize, generate_day
from retail_sync_cli.demo.money_files import write_money_files
from retail_sync_cli.demo.sales_payloads import canonical_return, canonical_sale, shopify_order

DAY = date(2026, 3, 7)
SIZE = DemoSize(skus=120, pos_per_store=6, web_orders=24, amazon_orders=6)


def test_every_sale_and_return_balances_and_web_orders_parse_as_shopify_sends_them():
    day = generate_day(3, DAY, SIZE)
    for order in day.orders:
        assert validate_transaction(canonical_sale(order, "P")) == []
        if order.source == "shopify":
            parsed = parse_order(
                msgspec.json.encode(shopify_order(order)),
                channel_id="WEB-US",
                node_id="DC-US",
                legal_entity_id="LE-US",
            )
            assert parsed.tender_total.amount_minor == order.basket.total_minor
            assert parsed.tenders[0].processor_reference == order.processor_reference
    for returned in day.returns:
        assert validate_transaction(canonical_return(returned, "P")) == []


def test_settlement_and_bank_files_parse_and_carry_the_planted_anomalies():
    day = generate_day(3, DAY, SIZE)
    files = write_money_files(day)
    adyen_us, adyen_nl, amazon, bank_us, bank_nl = files.files
    us = parse_settlement(adyen_us.content, adyen_us.filename)
    kinds = [line.record_type for line in us.lines]
    assert kinds.count("chargeback") == 1
    assert kinds.count("payout") == 1
    payout = next(line for line in us.lines if line.record_type == "payout")
    assert -payout.net.amount_minor == files.adyen["LE-US"].payout_minor
    references = {line.processor_reference for line in us.lines}
    assert files.adyen["LE-US"].missing_in_ledger in references
    late = [o.processor_reference for o in day.orders if o.document_id in files.adyen["LE-US"].timing_gap]
    assert len(late) == 3
    assert not references & set(late)
    assert parse_settlement(adyen_nl.content, adyen_nl.filename).lines[-1].record_type == "payout"
    marketplace = parse_settlement(amazon.content, amazon.filename)
    assert marketplace.totals["USD"].amount_minor == files.amazon_total_minor
    receipts = [line for s in parse_bank(bank_us.content, bank_us.filename) for line in s.lines]
    assert [r.amount.amount_minor for r in receipts] == [
        files.adyen["LE-US"].payout_minor,
        files.amazon_total_minor,
    ]
    assert files.adyen["LE-US"].payout_reference in receipts[0].description
    assert len(parse_bank(bank_nl.content, bank_nl.filename)[0].lines) == 1


def test_the_same_seed_gives_the_same_day_and_files():
    first, second = generate_day(5, DAY, SIZE), generate_day(5, DAY, SIZE)
    assert first.movements == second.movements
    assert first.snapshots == second.snapshots
    assert write_money_files(first).files == write_money_files(second).files
    assert generate_day(6, DAY, SIZE).movements != first.movements


def test_the_counts_plant_every_drift_and_only_the_large_ones_stay_off_the_books():
    day = generate_day(3, DAY, SIZE)
    lines = [line for snapshot in day.snapshots for line in snapshot["lines"]]
    assert len(lines) == 4 * 24
    off = [line["counted_qty"] - day.stock[(line["sku"], line["node"])][0] for line in lines]
    assert sorted(d for d in off if d) == sorted(d for d in DRIFTS if abs(d) > 5)
