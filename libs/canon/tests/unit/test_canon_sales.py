"""Canonical sales transaction: field shape on construction, ledger rules in validate_transaction."""

from datetime import UTC, date, datetime

import msgspec
import pytest
from canon.errors import ValidationError
from canon.event_type import lookup
from canon.ids import event_id_for
from canon.money import Money
from canon.sales import (
    Discount,
    SalesLine,
    SalesTransaction,
    TaxLine,
    Tender,
    TransactionRecorded,
    validate_transaction,
)


def usd(minor: int) -> Money:
    return Money(minor, "USD")


def line(
    line_id: str = "1", *, price: int = 1000, qty: int = 2, discount: int = 200, tax: int = 64, **kw
) -> SalesLine:
    return SalesLine(
        line_id=line_id,
        sku="SKU-" + line_id,
        quantity=qty,
        unit_price=usd(price),
        discounts=[Discount(amount=usd(discount), promotion_id="P1", promotion_version=3)]
        if discount
        else [],
        taxes=[TaxLine(jurisdiction="US-NY", amount=usd(tax), rate="0.08")] if tax else [],
        **kw,
    )


def card(
    amount: int, *, tender_id: str = "t1", refund: bool = False, reference: str | None = "ch_1"
) -> Tender:
    return Tender(
        tender_id=tender_id, kind="card", amount=usd(amount), refund=refund, processor_reference=reference
    )


def transaction(**overrides) -> SalesTransaction:
    fields = {
        "source_system": "pos-ncr",
        "document_id": "9-34-161",
        "kind": "sale",
        "order_id": "R161",
        "channel_id": "store",
        "node_id": "S9",
        "legal_entity_id": "US01",
        "currency": "USD",
        "business_date": date(2024, 3, 1),
        "occurred_at": datetime(2024, 3, 1, 15, 0, tzinfo=UTC),
        "lines": [line()],
        "tenders": [card(1864)],
    }
    return SalesTransaction(**(fields | overrides))


def reasons(tx: SalesTransaction) -> list[tuple[str, str]]:
    return [(problem.field, problem.reason) for problem in validate_transaction(tx)]


def test_balanced_sale_is_valid_and_totals_are_exact():
    tx = transaction(shipping=usd(500), tenders=[card(2364)])
    assert reasons(tx) == []
    assert (tx.gross_total, tx.discount_total, tx.net_total) == (usd(2000), usd(200), usd(1800))
    assert (tx.tax_total, tx.tender_total) == (usd(64), usd(2364))
    assert tx.lines[0].net == usd(1800)


def test_event_id_is_deterministic_per_document_revision():
    assert transaction().event_id == event_id_for("pos-ncr", "9-34-161", 1)
    assert transaction(revision=2).event_id != transaction().event_id


def test_unbalanced_sale_names_every_amount():
    assert reasons(transaction(tenders=[card(1863)])) == [
        (
            "tenders",
            "transaction does not balance: lines net 18.00 USD + tax 0.64 USD + shipping 0.00 USD "
            "= 18.64 USD, tenders total 18.63 USD (difference 0.01 USD)",
        )
    ]


def test_return_counts_refunds_positive_and_needs_its_original():
    tx = transaction(kind="return", lines=[line(returned=True)], tenders=[card(1864, refund=True)])
    assert reasons(tx) == [("original_document_id", "required for a return")]
    assert tx.tender_total == usd(1864)
    assert reasons(msgspec.structs.replace(tx, original_document_id="9-34-100")) == []


def test_exchange_nets_returned_against_sold_lines():
    returned = line("1", price=1000, qty=1, discount=0, tax=0, returned=True, original_line_id="7")
    sold = line("2", price=1500, qty=1, discount=0, tax=0)
    tx = transaction(kind="exchange", lines=[returned, sold], tenders=[card(500)])
    assert tx.net_total == usd(500)
    assert reasons(tx) == []
    refund_due = transaction(
        kind="exchange", lines=[line("1", qty=1, discount=0, tax=0, returned=True), sold], tenders=[card(500)]
    )
    assert reasons(refund_due) == []  # a refund tender (refund=True) is the other way round
    assert transaction(
        kind="exchange", lines=[returned, sold], tenders=[card(500, refund=True)]
    ).tender_total == usd(-500)


def test_direction_flags_must_agree_with_the_kind():
    tx = transaction(lines=[line(returned=True)], tenders=[card(1864, refund=True)])
    assert reasons(tx) == [
        ("lines[0].returned", "must be False in a sale"),
        ("tenders[0].refund", "must be False in a sale"),
    ]


def test_missing_references_are_all_reported_with_their_paths():
    discount = Discount(amount=usd(200), promotion_id="P1", funding="vendor")
    gift = Tender(tender_id="g", kind="gift_card", amount=usd(864))
    tx = transaction(
        lines=[
            SalesLine(
                line_id="1",
                sku="A",
                quantity=2,
                unit_price=usd(1000),
                discounts=[discount],
                taxes=[TaxLine(jurisdiction="US-NY", amount=usd(64))],
            )
        ],
        tenders=[card(1000, reference=None), gift],
    )
    assert reasons(tx) == [
        ("lines[0].discounts[0].promotion_version", "promotion id and version go together"),
        ("lines[0].discounts[0].vendor_id", "required for a vendor-funded discount"),
        ("lines[0].discounts[0].vendor_share_pct", "required for a vendor-funded discount"),
        ("tenders[0].processor_reference", "required for a card tender"),
        ("tenders[1].gift_card_id", "required for a gift card tender"),
    ]


def test_amount_in_another_currency_is_named_and_stops_the_balance_check():
    eur_line = SalesLine(line_id="2", sku="A", quantity=1, unit_price=Money(1000, "EUR"))
    assert reasons(transaction(lines=[line(), eur_line])) == [
        ("lines[1].unit_price", "currency EUR differs from the transaction's USD")
    ]


def test_discounts_beyond_the_line_gross_are_refused():
    tx = transaction(lines=[line(price=100, qty=1, discount=150, tax=0)], tenders=[])
    assert reasons(tx) == [
        ("lines[0].discounts", "exceed the line gross 1.00 USD"),
        (
            "tenders",
            "transaction does not balance: lines net -0.50 USD + tax 0.00 USD + shipping 0.00 USD "
            "= -0.50 USD, tenders total 0.00 USD (difference -0.50 USD)",
        ),
    ]


def test_duplicate_line_ids_are_refused():
    tx = transaction(lines=[line("1"), line("1")], tenders=[card(3728)])
    assert reasons(tx) == [("lines", "duplicate line_id: 1")]


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: line(qty=0), "quantity"),
        (lambda: SalesLine(line_id=" ", sku="A", quantity=1, unit_price=usd(1)), "line_id"),
        (lambda: SalesLine(line_id="1", sku="A", quantity=1, unit_price=usd(-1)), "unit_price"),
        (lambda: Discount(amount=usd(1), promotion_version=0), "promotion_version"),
        (lambda: Discount(amount=usd(1), vendor_share_pct="101"), "vendor_share_pct"),
        (lambda: Discount(amount=usd(1), vendor_share_pct="half"), "vendor_share_pct"),
        (lambda: TaxLine(jurisdiction="X", amount=usd(1), rate="-0.1"), "rate"),
        (lambda: transaction(occurred_at=datetime(2024, 3, 1, 15, 0)), "occurred_at"),
        (lambda: transaction(currency="usd"), "currency"),
        (lambda: transaction(revision=0), "revision"),
        (
            lambda: SalesLine(line_id="1", sku="A", quantity=1, unit_price=usd(1), weighed_quantity="x"),
            "weighed_quantity",
        ),
    ],
)
def test_construction_rejects_bad_field_shapes(build, field):
    with pytest.raises(ValidationError) as raised:
        build()
    assert raised.value.field == field


def test_json_round_trip_validates_nested_fields():
    tx = transaction()
    assert msgspec.json.decode(msgspec.json.encode(tx), type=SalesTransaction) == tx
    broken = msgspec.json.encode(tx).replace(b'"quantity":2', b'"quantity":0')
    with pytest.raises(
        msgspec.ValidationError, match=r"quantity: must be a positive integer, got 0 - at `\$.lines\[0\]`"
    ):
        msgspec.json.decode(broken, type=SalesTransaction)


def test_transaction_recorded_event_is_in_the_catalogue():
    event_type = lookup("retail.sales.transaction_recorded.v1")
    assert event_type.payload is TransactionRecorded
    payload = TransactionRecorded(
        transaction=transaction(), recorded_at=datetime(2024, 3, 1, 16, 0, tzinfo=UTC)
    )
    assert event_type.decode(event_type.encode(payload)) == payload
