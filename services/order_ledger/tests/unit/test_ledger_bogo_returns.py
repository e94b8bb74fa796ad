"""Scenario: a buy-one-get-one sale, then the paid item and the free item come back."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from canon.ledger import JournalEntry
from canon.money import Money
from canon.sales import Discount, SalesLine, SalesTransaction, Tender
from order_ledger.adapters.memory import InMemoryUnitOfWork
from order_ledger.application.use_cases.record_transactions import RecordTransactions, Submission
from order_ledger.domain.promotion_terms import terms_from_payload
from order_ledger.domain.reference import PostingReference

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
BOGO_EVENT = {
    "promotion_id": "BOGO-TEE",
    "version": 3,
    "content": {
        "promotion_id": "BOGO-TEE",
        "version": 3,
        "mechanic": {
            "kind": "buy_x_get_y",
            "buy_qty": 1,
            "get_qty": 1,
            "get_percent_off": "100",
            "buy_set": {"skus": ["TEE"]},
        },
        "accounting": {"gl_discount_account": "promotional_discount"},
    },
}


def usd(minor: int) -> Money:
    return Money(minor, "USD")


def tee(
    line_id: str, *, free: bool = False, returned: bool = False, original: str | None = None
) -> SalesLine:
    discounts = [Discount(amount=usd(1000), promotion_id="BOGO-TEE", promotion_version=3)] if free else []
    return SalesLine(
        line_id=line_id,
        sku="TEE",
        quantity=1,
        unit_price=usd(1000),
        discounts=discounts,
        returned=returned,
        original_line_id=original,
    )


def tx(document: str, kind: str, lines: list[SalesLine], tendered: int, **extra: object) -> SalesTransaction:
    refund = kind == "return"
    tenders = (
        [
            Tender(
                tender_id="1",
                kind="card",
                amount=usd(tendered),
                refund=refund,
                processor="adyen",
                processor_reference=f"psp-{document}",
            )
        ]
        if tendered
        else []
    )
    return SalesTransaction(
        source_system="pos",
        document_id=document,
        kind=kind,
        order_id="ORDER-1",
        channel_id="store",  # type: ignore[arg-type]
        node_id="S1",
        legal_entity_id="US01",
        currency="USD",
        business_date=date(2026, 11, 27),
        occurred_at=NOW,
        lines=lines,
        tenders=tenders,
        **extra,  # type: ignore[arg-type]
    )


def by_role(entry: JournalEntry) -> dict[tuple[str, str], int]:
    totals: dict[tuple[str, str], int] = {}
    for line in entry.lines:
        key = (line.role, line.side)
        totals[key] = totals.get(key, 0) + line.amount.amount_minor
    return totals


@pytest.fixture
def ledger() -> tuple[RecordTransactions, InMemoryUnitOfWork]:
    terms = terms_from_payload(BOGO_EVENT)
    assert terms is not None
    uow = InMemoryUnitOfWork(PostingReference(promotions={terms.key: terms}))
    return RecordTransactions(uow, clock=lambda: NOW), uow


async def post(record: RecordTransactions, *transactions: SalesTransaction):
    return await record([Submission(i, t) for i, t in enumerate(transactions, 1)], received_via="test")


async def test_return_of_the_paid_item_charges_back_the_free_items_discount(ledger) -> None:
    record, uow = ledger
    await post(record, tx("S-1", "sale", [tee("1"), tee("2", free=True)], 1000))
    result = await post(
        record, tx("R-1", "return", [tee("r1", returned=True, original="1")], 0, original_document_id="S-1")
    )
    [outcome] = result.outcomes
    assert outcome.status == "posted", outcome.errors
    assert "repriced:BOGO-TEE:v3" in outcome.flags
    [entry_id] = outcome.entry_ids
    entry = uow.committed.entries[entry_id]
    assert by_role(entry) == {("revenue", "debit"): 1000, ("contra_revenue", "credit"): 1000}
    [charge] = [line for line in entry.lines if line.role == "contra_revenue"]
    assert charge.dimensions["promotion"] == "BOGO-TEE:v3"
    assert charge.memo == "re-priced kept line 2: buy 1 get 1 no longer met by the kept items"


async def test_a_return_refunding_the_full_price_of_the_paid_item_is_rejected_with_the_reason(ledger) -> None:
    record, uow = ledger
    await post(record, tx("S-1", "sale", [tee("1"), tee("2", free=True)], 1000))
    result = await post(
        record,
        tx("R-1", "return", [tee("r1", returned=True, original="1")], 1000, original_document_id="S-1"),
    )
    [outcome] = result.outcomes
    assert outcome.status == "rejected"
    assert [(e.field, e.reason) for e in outcome.errors] == [
        (
            "tenders",
            "transaction does not balance: lines net 10.00 USD + tax 0.00 USD + shipping 0.00 USD "
            "+ re-pricing -10.00 USD = 0.00 USD, tenders total 10.00 USD (difference -10.00 USD)",
        )
    ]
    assert len(uow.committed.rejections) == 1


async def test_free_item_returned_gives_back_nothing_then_the_paid_one_gives_back_all_paid(ledger) -> None:
    record, uow = ledger
    await post(record, tx("S-1", "sale", [tee("1"), tee("2", free=True)], 1000))
    free_back = await post(
        record, tx("R-1", "return", [tee("r1", returned=True, original="2")], 0, original_document_id="S-1")
    )
    paid_back = await post(
        record,
        tx("R-2", "return", [tee("r2", returned=True, original="1")], 1000, original_document_id="S-1"),
    )
    assert [o.status for o in (*free_back.outcomes, *paid_back.outcomes)] == ["posted", "posted"]
    free_entry = uow.committed.entries[free_back.outcomes[0].entry_ids[0]]
    assert by_role(free_entry) == {("revenue", "debit"): 1000, ("contra_revenue", "credit"): 1000}
    paid_entry = uow.committed.entries[paid_back.outcomes[0].entry_ids[0]]
    assert by_role(paid_entry) == {("revenue", "debit"): 1000, ("tender_clearing", "credit"): 1000}
    assert "repriced:BOGO-TEE:v3" not in paid_back.outcomes[0].flags


async def test_after_the_paid_item_the_kept_free_item_comes_back_at_its_repriced_price(ledger) -> None:
    record, uow = ledger
    await post(record, tx("S-1", "sale", [tee("1"), tee("2", free=True)], 1000))
    await post(
        record, tx("R-1", "return", [tee("r1", returned=True, original="1")], 0, original_document_id="S-1")
    )
    result = await post(
        record,
        tx("R-2", "return", [tee("r2", returned=True, original="2")], 1000, original_document_id="S-1"),
    )
    [outcome] = result.outcomes
    assert outcome.status == "posted", outcome.errors
    entry = uow.committed.entries[outcome.entry_ids[0]]
    # The free item was re-priced to 10.00 when the paid one came back: that is what it gives back now.
    assert by_role(entry) == {("revenue", "debit"): 1000, ("tender_clearing", "credit"): 1000}


async def test_unknown_promotion_version_is_flagged_and_posted() -> None:
    uow = InMemoryUnitOfWork()
    record = RecordTransactions(uow, clock=lambda: NOW)
    result = await post(record, tx("S-9", "sale", [tee("1"), tee("2", free=True)], 1000))
    [outcome] = result.outcomes
    assert outcome.status == "posted"
    assert outcome.flags == ["no_fiscal_calendar", "unknown_promotion:BOGO-TEE:v3"]
