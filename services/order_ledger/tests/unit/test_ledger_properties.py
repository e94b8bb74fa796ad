"""Properties: every entry balances per currency; the journal's revenue, discount, tax and tender
totals equal the source totals to the minor unit; re-sending a batch in any order with duplicates
changes nothing."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

from canon.money import Money
from canon.sales import Discount, SalesLine, SalesTransaction, TaxLine, Tender
from hypothesis import given, settings
from hypothesis import strategies as st
from order_ledger.adapters.memory import InMemoryUnitOfWork
from order_ledger.application.use_cases.record_transactions import RecordTransactions, Submission

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
DISCOUNT_ROLES = {"contra_revenue", "markdown", "vendor_funding_receivable"}
TENDER_ROLES = {"tender_clearing", "gift_card_liability", "loyalty_liability", "store_credit_liability"}


@st.composite
def sales_line(draw: st.DrawFn, currency: str, index: int, returned: bool) -> SalesLine:
    price = draw(st.integers(0, 50_000))
    quantity = draw(st.integers(1, 4))
    gross = price * quantity
    discounts = []
    if gross and draw(st.booleans()):
        amount = draw(st.integers(0, gross))
        vendor = draw(st.booleans())
        discounts.append(
            Discount(
                amount=Money(amount, currency),
                promotion_id="P1",
                promotion_version=draw(st.integers(1, 3)),
                funding="vendor" if vendor else "retailer",
                vendor_id="V1" if vendor else None,
                vendor_share_pct=str(draw(st.integers(0, 100))) if vendor else None,
                accounting_treatment=draw(
                    st.sampled_from(["promotional_discount", "markdown", "coupon", "manufacturer_coupon"])
                ),
            )
        )
    taxes = [
        TaxLine(jurisdiction=j, amount=Money(draw(st.integers(0, 5_000)), currency))
        for j in draw(st.lists(st.sampled_from(["US-NY", "US-NYC", "DE"]), max_size=2, unique=True))
    ]
    return SalesLine(
        line_id=str(index),
        sku=f"SKU{index}",
        quantity=quantity,
        unit_price=Money(price, currency),
        discounts=discounts,
        taxes=taxes,
        returned=returned,
    )


@st.composite
def transaction(draw: st.DrawFn, number: int) -> SalesTransaction:
    currency = draw(st.sampled_from(["USD", "EUR", "JPY"]))
    kind = draw(st.sampled_from(["sale", "sale", "return", "exchange"]))
    lines = [
        draw(sales_line(currency, i, returned=(kind == "return") or (kind == "exchange" and i == 0)))
        for i in range(draw(st.integers(1, 4)))
    ]
    draft = SalesTransaction(
        source_system="pos",
        document_id=f"D{number}",
        kind=kind,
        order_id=f"O{number}",
        channel_id="store",
        node_id="S1",
        legal_entity_id=draw(st.sampled_from(["US01", "DE01"])),
        currency=currency,
        business_date=date(2026, 11, 27),
        occurred_at=NOW,
        lines=lines,
        original_document_id="UNKNOWN" if kind == "return" else None,
    )
    due = draft.net_total + draft.tax_total
    refund = due.is_negative() if kind != "return" else False
    magnitude = abs(due.amount_minor)
    kinds = draw(st.lists(st.sampled_from(["card", "cash", "gift_card", "loyalty"]), min_size=1, max_size=3))
    parts = (
        Money(magnitude, currency).allocate([1] * len(kinds))
        if magnitude
        else [Money(0, currency)] * len(kinds)
    )
    tenders = [
        Tender(
            tender_id=str(i),
            kind=k,
            amount=part,
            refund=refund or kind == "return",
            processor="adyen",  # type: ignore[arg-type]
            processor_reference=f"r{number}-{i}",
            gift_card_id="GC" if k == "gift_card" else None,
        )
        for i, (k, part) in enumerate(zip(kinds, parts, strict=True))
    ]
    return SalesTransaction(**{**{f: getattr(draft, f) for f in draft.__struct_fields__}, "tenders": tenders})


batches = st.integers(1, 8).flatmap(lambda n: st.tuples(*(transaction(i) for i in range(n))))


def signed(entries, roles: set[str], credit_positive: bool, currency: str) -> int:
    total = 0
    for entry in entries:
        if entry.currency != currency:
            continue
        for x in entry.lines:
            if x.role in roles:
                value = (
                    x.amount.amount_minor
                    if (x.side == "credit") == credit_positive
                    else -x.amount.amount_minor
                )
                total += value
    return total


@settings(max_examples=60, deadline=None)
@given(batch=batches, data=st.data())
def test_journal_balances_matches_source_totals_and_resending_changes_nothing(batch, data) -> None:
    uow = InMemoryUnitOfWork()
    record = RecordTransactions(uow, clock=lambda: NOW)
    first = asyncio.run(record([Submission(i, t) for i, t in enumerate(batch, 1)], received_via="test"))
    assert first.rejected == 0, first.outcomes
    entries = list(uow.committed.entries.values())
    for entry in entries:  # JournalEntry refuses to exist unbalanced; checked again here per currency
        debit = sum(x.amount.amount_minor for x in entry.lines if x.side == "debit")
        assert debit == sum(x.amount.amount_minor for x in entry.lines if x.side == "credit")
    for currency in {t.currency for t in batch}:
        txs = [t for t in batch if t.currency == currency]
        direction = {t.document_id: (-1 if t.kind == "return" else 1) for t in txs}

        def source(
            part: str, txs: list[SalesTransaction] = txs, direction: dict[str, int] = direction
        ) -> int:
            return sum(getattr(t, part).amount_minor * direction[t.document_id] for t in txs)

        assert signed(entries, {"revenue"}, True, currency) == source("gross_total")
        assert signed(entries, DISCOUNT_ROLES, False, currency) == source("discount_total")
        assert signed(entries, {"tax_payable"}, True, currency) == source("tax_total")
        assert signed(entries, TENDER_ROLES, False, currency) == source("tender_total")
    before = (dict(uow.committed.entries), list(uow.committed.events), dict(uow.committed.transactions))
    resent = data.draw(st.permutations([*batch, *data.draw(st.lists(st.sampled_from(batch), max_size=4))]))
    again = asyncio.run(record([Submission(i, t) for i, t in enumerate(resent, 1)], received_via="test"))
    assert {o.status for o in again.outcomes} == {"duplicate"}
    assert (
        dict(uow.committed.entries),
        list(uow.committed.events),
        dict(uow.committed.transactions),
    ) == before
