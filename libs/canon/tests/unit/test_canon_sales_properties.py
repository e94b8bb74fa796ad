"""Property: validate_transaction accepts any balanced transaction, and a one-minor-unit error in a
tender is always caught (with exactly that difference)."""

from datetime import UTC, date, datetime

from canon.money import Money
from canon.sales import Discount, SalesLine, SalesTransaction, TaxLine, Tender, validate_transaction
from hypothesis import given
from hypothesis import strategies as st

CURRENCY = "EUR"


@st.composite
def sales_lines(draw: st.DrawFn, index: int, returned: bool) -> SalesLine:
    quantity = draw(st.integers(1, 20))
    unit = draw(st.integers(0, 100_000))
    discount_minor = draw(st.lists(st.integers(0, 10_000), max_size=3))
    budget, discounts = unit * quantity, []
    for amount in discount_minor:
        amount = min(amount, budget)
        budget -= amount
        discounts.append(Discount(amount=Money(amount, CURRENCY), promotion_id="P", promotion_version=1))
    taxes = [
        TaxLine(jurisdiction=f"J{n}", amount=Money(draw(st.integers(0, 5_000)), CURRENCY)) for n in range(2)
    ]
    return SalesLine(
        line_id=str(index),
        sku=f"SKU{index}",
        quantity=quantity,
        unit_price=Money(unit, CURRENCY),
        discounts=discounts,
        taxes=taxes,
        returned=returned,
    )


@st.composite
def balanced_transactions(draw: st.DrawFn) -> SalesTransaction:
    kind = draw(st.sampled_from(["sale", "return"]))
    returned = kind == "return"
    lines = [draw(sales_lines(index, returned)) for index in range(draw(st.integers(1, 5)))]
    shipping = Money(draw(st.integers(0, 2_000)), CURRENCY)
    due = sum(line.net.amount_minor + line.tax_total.amount_minor for line in lines) + shipping.amount_minor
    cuts = sorted(draw(st.lists(st.integers(0, due), max_size=2)))
    parts = [b - a for a, b in zip([0, *cuts], [*cuts, due], strict=True)]
    tenders = [
        Tender(tender_id=f"t{n}", kind="cash", amount=Money(part, CURRENCY), refund=returned)
        for n, part in enumerate(parts)
    ]
    return SalesTransaction(
        source_system="test",
        document_id="D1",
        kind=kind,
        order_id="O1",
        channel_id="web",
        node_id="N1",
        legal_entity_id="LE1",
        currency=CURRENCY,
        business_date=date(2024, 1, 2),
        occurred_at=datetime(2024, 1, 2, 10, 0, tzinfo=UTC),
        lines=lines,
        tenders=tenders,
        shipping=shipping,
        original_document_id="D0" if returned else None,
    )


@given(balanced_transactions())
def test_balanced_transactions_are_accepted(tx: SalesTransaction) -> None:
    assert validate_transaction(tx) == []


@given(balanced_transactions(), st.sampled_from([1, -1]), st.data())
def test_a_tender_off_by_one_minor_unit_is_rejected(
    tx: SalesTransaction, delta: int, data: st.DataObject
) -> None:
    candidates = [i for i, t in enumerate(tx.tenders) if t.amount.amount_minor + delta >= 0]
    if not candidates:  # every tender is 0 and delta is -1: nudge upward instead
        delta, candidates = 1, list(range(len(tx.tenders)))
    index = data.draw(st.sampled_from(candidates))
    tenders = list(tx.tenders)
    tenders[index] = Tender(
        tender_id=tenders[index].tender_id,
        kind="cash",
        amount=tenders[index].amount + Money(delta, CURRENCY),
        refund=tenders[index].refund,
    )
    broken = SalesTransaction(**{f: getattr(tx, f) for f in tx.__struct_fields__} | {"tenders": tenders})
    problems = validate_transaction(broken)
    assert [p.field for p in problems] == ["tenders"]
    expected = "-0.01 EUR" if delta == 1 else "0.01 EUR"
    assert problems[0].reason.endswith(f"(difference {expected})")
