"""Shopify order/refund webhooks -> canonical transactions, on Shopify's own published fixtures."""

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from canon.money import Money
from canon.sales import validate_transaction
from connectors.errors import ParseError
from connectors.sales.shopify import parse_order, parse_refund

SAMPLES = Path(__file__).resolve().parents[4] / ".." / "shared" / "samples" / "shopify"
CONTEXT = {"channel_id": "web-us", "node_id": "DC-LOU", "legal_entity_id": "US01"}


def usd(minor: int) -> Money:
    return Money(minor, "USD")


def sample(name: str) -> dict:
    return json.loads((SAMPLES / name).read_bytes())


def as_bytes(document: dict) -> bytes:
    return json.dumps(document).encode()


def problems(error: pytest.ExceptionInfo[ParseError]) -> list[tuple[int, str | None, str]]:
    return [(p.line, p.field, p.reason) for p in error.value.problems]


def test_sample_order_maps_lines_tax_coupons_and_tender():
    order = parse_order((SAMPLES / "order.json").read_bytes(), **CONTEXT)
    assert (order.document_id, order.order_id, order.kind, order.currency) == (
        "450789469",
        "#1001",
        "sale",
        "USD",
    )
    assert order.business_date == date(2008, 1, 10)
    assert order.occurred_at == datetime(2008, 1, 10, 16, 0, tzinfo=UTC)
    assert [(x.line_id, x.sku, x.quantity, x.unit_price) for x in order.lines] == [
        ("466157049", "IPOD2008GREEN", 1, usd(19900)),
        ("518995019", "IPOD2008RED", 1, usd(19900)),
        ("703073504", "IPOD2008BLACK", 1, usd(19900)),
    ]
    # The order-level State Tax (11.94 at 6%) is spread by net: 3.98 per line, as the refund shows.
    assert [[(t.jurisdiction, t.amount, t.rate) for t in x.taxes] for x in order.lines] == [
        [("State Tax", usd(398), "0.06")]
    ] * 3
    assert all(x.discounts == [] for x in order.lines)  # the sample has no discount_allocations
    assert (order.coupons, order.customer_id, order.shipping) == (["TENOFF"], "207119551", usd(0))
    [tender] = order.tenders
    assert (tender.kind, tender.amount, tender.processor, tender.card_brand) == (
        "card",
        usd(40994),
        "authorize_net",
        "Visa",
    )
    assert tender.processor_reference is None


def test_sample_order_does_not_balance_and_says_why():
    """Shopify's fixture is internally inconsistent (SOURCES.md): 3 x 199.00 lines + 11.94 tax, but
    total_price 409.94 (it counts only 398.00 of lines), and the order body carries no payment
    transaction, so the card tender has no processor reference. Both are reported, not repaired."""
    order = parse_order((SAMPLES / "order.json").read_bytes(), **CONTEXT)
    assert [(p.field, p.reason) for p in validate_transaction(order)] == [
        ("tenders[0].processor_reference", "required for a card tender"),
        (
            "tenders",
            "transaction does not balance: lines net 597.00 USD + tax 11.94 USD + shipping 0.00 USD "
            "= 608.94 USD, tenders total 409.94 USD (difference 199.00 USD)",
        ),
    ]


def test_sample_refund_with_original_keeps_order_context():
    order = parse_order((SAMPLES / "order.json").read_bytes(), **CONTEXT)
    refund = parse_refund((SAMPLES / "refund.json").read_bytes(), original=order)
    assert (refund.document_id, refund.kind, refund.order_id, refund.original_document_id) == (
        "509562969",
        "return",
        "#1001",
        "450789469",
    )
    assert (refund.channel_id, refund.node_id, refund.legal_entity_id, refund.customer_id) == (
        "web-us",
        "DC-LOU",
        "US01",
        "207119551",
    )
    assert refund.occurred_at == datetime(2016, 6, 20, 17, 35, 6, tzinfo=UTC)
    assert [(x.line_id, x.original_line_id, x.sku, x.quantity, x.returned) for x in refund.lines] == [
        ("104689539", "703073504", "IPOD2008BLACK", 1, True),
        ("709875399", "466157049", "IPOD2008GREEN", 1, True),
    ]
    assert [x.tax_total for x in refund.lines] == [usd(398), usd(398)]
    [tender] = refund.tenders
    assert (tender.tender_id, tender.kind, tender.amount, tender.refund) == (
        "179259969",
        "card",
        usd(20900),
        True,
    )
    assert (tender.processor, tender.processor_reference) == ("bogus", "authorization-key")


def test_sample_refund_does_not_balance_and_says_why():
    """The fixture refunds two 199.00 lines with 3.98 tax each (405.96) but its only transaction
    refunds 209.00, with no order adjustment explaining the gap."""
    refund = parse_refund((SAMPLES / "refund.json").read_bytes(), **CONTEXT)
    assert (refund.order_id, refund.currency) == ("450789469", "USD")
    assert [(p.field, p.reason) for p in validate_transaction(refund)] == [
        (
            "tenders",
            "transaction does not balance: lines net 398.00 USD + tax 7.96 USD + shipping 0.00 USD "
            "= 405.96 USD, tenders total 209.00 USD (difference 196.96 USD)",
        )
    ]


def test_refund_without_context_names_what_is_missing():
    with pytest.raises(ParseError) as raised:
        parse_refund((SAMPLES / "refund.json").read_bytes())
    assert [field for _, field, _ in problems(raised)] == ["channel_id", "node_id", "legal_entity_id"]


def with_allocations_and_transactions() -> dict:
    """The sample order with the newer fields Shopify sends: a TENOFF code allocated across the
    lines, and a captured authorize_net transaction; totals made consistent."""
    document = sample("order.json")
    order = document["order"]
    order["discount_applications"] = [
        {
            "type": "discount_code",
            "code": "TENOFF",
            "value": "10.0",
            "value_type": "fixed_amount",
            "allocation_method": "across",
            "target_type": "line_item",
            "target_selection": "all",
        },
        {
            "type": "automatic",
            "title": "Spring sale",
            "value": "1.00",
            "value_type": "fixed_amount",
            "allocation_method": "each",
            "target_type": "line_item",
            "target_selection": "entitled",
        },
    ]
    for item, share in zip(order["line_items"], ["3.34", "3.33", "3.33"], strict=True):
        item["discount_allocations"] = [{"amount": share, "discount_application_index": 0}]
    order["line_items"][2]["discount_allocations"].append({"amount": "1.00", "discount_application_index": 1})
    order["transactions"] = [
        {
            "id": 389404469,
            "kind": "authorization",
            "status": "success",
            "amount": "597.94",
            "gateway": "authorize_net",
            "authorization": "ch_auth_1",
            "currency": "USD",
        },
        {
            "id": 389404470,
            "kind": "capture",
            "status": "success",
            "amount": "597.94",
            "gateway": "authorize_net",
            "authorization": "ch_cap_1",
            "currency": "USD",
            "payment_details": {"credit_card_company": "Visa"},
        },
        {
            "id": 389404471,
            "kind": "capture",
            "status": "failure",
            "amount": "597.94",
            "gateway": "authorize_net",
            "authorization": "ch_cap_0",
            "currency": "USD",
        },
    ]
    order["total_price"] = "597.94"
    return document


def test_discount_allocations_name_the_resolved_promotion_or_stay_unresolved():
    def resolver(application: dict) -> tuple[str, int] | None:
        return ("PROMO-TENOFF", 4) if application.get("code") == "TENOFF" else None

    order = parse_order(as_bytes(with_allocations_and_transactions()), **CONTEXT, promotion_resolver=resolver)
    coupon, automatic = order.lines[2].discounts
    assert (coupon.amount, coupon.promotion_id, coupon.promotion_version) == (usd(333), "PROMO-TENOFF", 4)
    assert (coupon.accounting_treatment, coupon.code) == ("coupon", "TENOFF")
    assert (automatic.amount, automatic.promotion_id, automatic.promotion_version) == (usd(100), None, None)
    assert (automatic.accounting_treatment, automatic.description) == ("promotional_discount", "Spring sale")
    assert [x.discount_total for x in order.lines] == [usd(334), usd(333), usd(433)]
    # 11.94 tax spread by net 195.66 / 195.67 / 194.67: exact shares 3.9866 / 3.9868 / 3.9664,
    # the 2 cents left after truncation go to the two largest remainders
    assert [x.tax_total for x in order.lines] == [usd(399), usd(399), usd(396)]
    [tender] = order.tenders
    assert (tender.tender_id, tender.processor_reference, tender.card_brand) == (
        "389404470",
        "ch_cap_1",
        "Visa",
    )
    assert [(p.field, p.reason) for p in validate_transaction(order)] == []


def test_refund_reuses_the_original_lines_promotion_context():
    order = parse_order(
        as_bytes(with_allocations_and_transactions()),
        **CONTEXT,
        promotion_resolver=lambda app: ("PROMO-TENOFF", 4) if app.get("code") else None,
    )
    refund = parse_refund((SAMPLES / "refund.json").read_bytes(), original=order)
    black = refund.lines[0]
    assert [(d.amount, d.promotion_id, d.promotion_version) for d in black.discounts] == [
        (usd(333), "PROMO-TENOFF", 4),
        (usd(100), None, None),
    ]


def test_malformed_lines_are_all_reported_with_their_position():
    document = sample("order.json")
    items = document["order"]["line_items"]
    items[0]["price"] = "19x.00"
    del items[1]["sku"]
    items[2]["quantity"] = 0
    with pytest.raises(ParseError) as raised:
        parse_order(as_bytes(document), **CONTEXT)
    assert problems(raised) == [
        (1, "line_items[0].price", "not a decimal amount: '19x.00'"),
        (2, "line_items[1].sku", "required, got None"),
        (3, "line_items[2].quantity", "expected a positive whole number, got 0"),
    ]


def test_amount_with_more_decimals_than_the_currency_is_refused_not_rounded():
    document = sample("order.json")
    document["order"]["line_items"][1]["price"] = "199.005"
    with pytest.raises(ParseError) as raised:
        parse_order(as_bytes(document), **CONTEXT)
    assert problems(raised) == [(2, "line_items[1].price", "'199.005' has more decimals than USD allows")]


def test_not_json_is_a_parse_error():
    with pytest.raises(ParseError) as raised:
        parse_order(b"{not json", **CONTEXT)
    assert problems(raised)[0][:2] == (0, None)
    assert problems(raised)[0][2].startswith("not valid JSON")
