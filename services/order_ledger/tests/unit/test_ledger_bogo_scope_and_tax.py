"""Scenarios: a buy-X-get-Y whose buy set is empty means "any item in the promotion's scope", and the
re-pricing of a kept item carries the tax on the re-priced amount (and gives it back when that item
comes back too)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from canon.ledger import JournalEntry
from canon.money import Money
from canon.sales import Discount, SalesLine, SalesTransaction, TaxLine, Tender
from order_ledger.adapters.memory import InMemoryUnitOfWork
from order_ledger.application.use_cases.record_transactions import RecordTransactions, Submission
from order_ledger.domain.promotion_terms import terms_from_payload
from order_ledger.domain.reference import PostingReference

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def bogo_event(scope: dict[str, Any] | None, buy_set: dict[str, Any] | None = None) -> dict[str, Any]:
    content: dict[str, Any] = {
        "promotion_id": "BOGO",
        "version": 1,
        "mechanic": {
            "kind": "buy_x_get_y",
            "buy_qty": 1,
            "get_qty": 1,
            "get_percent_off": "100",
            "buy_set": buy_set or {},
        },
        "accounting": {"gl_discount_account": "promotional_discount"},
    }
    if scope is not None:
        content["scope"] = scope
    return {"promotion_id": "BOGO", "version": 1, "content": content}


def usd(minor: int) -> Money:
    return Money(minor, "USD")


def item(
    line_id: str,
    sku: str,
    price: int,
    *,
    free: bool = False,
    tax: int | None = None,
    returned: bool = False,
    original: str | None = None,
) -> SalesLine:
    return SalesLine(
        line_id=line_id,
        sku=sku,
        quantity=1,
        unit_price=usd(price),
        discounts=[Discount(amount=usd(price), promotion_id="BOGO", promotion_version=1)] if free else [],
        taxes=[] if tax is None else [TaxLine(jurisdiction="US-NY", amount=usd(tax), rate="0.08")],
        returned=returned,
        original_line_id=original,
    )


def tx(document: str, kind: str, lines: list[SalesLine], tendered: int, **extra: Any) -> SalesTransaction:
    tenders = [
        Tender(
            tender_id="1",
            kind="card",
            amount=usd(tendered),
            refund=kind == "return",
            processor="adyen",
            processor_reference=f"psp-{document}",
        )
    ]
    return SalesTransaction(
        source_system="pos",
        document_id=document,
        kind=kind,  # type: ignore[arg-type]
        order_id="ORDER-7",
        channel_id="store",
        node_id="S1",
        legal_entity_id="US01",
        currency="USD",
        business_date=date(2026, 11, 27),
        occurred_at=NOW,
        lines=lines,
        tenders=tenders if tendered else [],
        **extra,
    )


def ledger(event: dict[str, Any]) -> tuple[RecordTransactions, InMemoryUnitOfWork]:
    terms = terms_from_payload(event)
    assert terms is not None
    uow = InMemoryUnitOfWork(PostingReference(promotions={terms.key: terms}))
    return RecordTransactions(uow, clock=lambda: NOW), uow


async def post(record: RecordTransactions, transaction: SalesTransaction) -> Any:
    [outcome] = (await record([Submission(1, transaction)], received_via="test")).outcomes
    return outcome


def by_role(entry: JournalEntry) -> dict[tuple[str, str], int]:
    totals: dict[tuple[str, str], int] = {}
    for line in entry.lines:
        totals[(line.role, line.side)] = totals.get((line.role, line.side), 0) + line.amount.amount_minor
    return totals


SALE = [item("1", "TEE", 1000), item("2", "TEE", 1000, free=True), item("3", "SOCK", 500)]


async def test_empty_buy_set_means_any_item_in_scope_so_an_out_of_scope_item_does_not_keep_the_offer() -> (
    None
):
    record, uow = ledger(bogo_event(scope={"items": ["TEE"]}))
    assert (await post(record, tx("S-1", "sale", SALE, 1500))).status == "posted"
    back = tx("R-1", "return", [item("r1", "TEE", 1000, returned=True, original="1")], 0)
    outcome = await post(record, msgspec_replace(back, original_document_id="S-1"))
    assert outcome.status == "posted", outcome.errors
    # The sock is outside the promotion's scope: it cannot be the "buy" of the kept free tee.
    assert "repriced:BOGO:v1" in outcome.flags
    entry = uow.committed.entries[outcome.entry_ids[0]]
    assert by_role(entry) == {("revenue", "debit"): 1000, ("contra_revenue", "credit"): 1000}


async def test_empty_buy_set_with_an_unscoped_promotion_still_means_any_item() -> None:
    record, uow = ledger(bogo_event(scope=None))
    assert (await post(record, tx("S-1", "sale", SALE, 1500))).status == "posted"
    back = tx("R-1", "return", [item("r1", "TEE", 1000, returned=True, original="1")], 500)
    outcome = await post(record, msgspec_replace(back, original_document_id="S-1"))
    assert outcome.status == "posted", outcome.errors
    # Any item counts: the kept tee and sock still form a set, whose cheapest unit (the sock, 5.00)
    # is the free one now, so the kept items lose 5.00 of the 10.00 discount they held.
    entry = uow.committed.entries[outcome.entry_ids[0]]
    assert by_role(entry) == {
        ("revenue", "debit"): 1000,
        ("contra_revenue", "credit"): 500,
        ("tender_clearing", "credit"): 500,
    }


async def test_excluded_category_is_out_of_scope_too() -> None:
    record, _ = ledger(bogo_event(scope={"excluded_categories": ["HOSIERY"]}))
    sale = [*SALE[:2], msgspec_replace(SALE[2], category_id="HOSIERY")]
    assert (await post(record, tx("S-1", "sale", sale, 1500))).status == "posted"
    back = tx("R-1", "return", [item("r1", "TEE", 1000, returned=True, original="1")], 0)
    outcome = await post(record, msgspec_replace(back, original_document_id="S-1"))
    assert outcome.status == "posted", outcome.errors
    assert "repriced:BOGO:v1" in outcome.flags


async def test_repricing_the_kept_free_item_charges_the_tax_on_the_repriced_amount() -> None:
    record, uow = ledger(bogo_event(scope=None, buy_set={"skus": ["TEE"]}))
    sale = [item("1", "TEE", 1000, tax=80), item("2", "TEE", 1000, free=True, tax=0)]
    assert (await post(record, tx("S-1", "sale", sale, 1080))).status == "posted"
    # The paid tee comes back: 10.00 + 0.80 tax would be refunded, but the kept tee is re-priced to
    # 10.00 and its tax base grows by 10.00, so 0.80 more tax is due: nothing is refunded.
    refund_all = tx("R-1", "return", [item("r1", "TEE", 1000, returned=True, original="1")], 1000)
    rejected = await post(record, msgspec_replace(refund_all, original_document_id="S-1"))
    assert rejected.status == "rejected"
    back = tx("R-2", "return", [item("r1", "TEE", 1000, returned=True, original="1")], 0)
    outcome = await post(record, msgspec_replace(back, original_document_id="S-1"))
    assert outcome.status == "posted", outcome.errors
    entry = uow.committed.entries[outcome.entry_ids[0]]
    assert by_role(entry) == {
        ("revenue", "debit"): 1000,
        ("tax_payable", "debit"): 80,
        ("contra_revenue", "credit"): 1000,
        ("tax_payable", "credit"): 80,
    }
    [recorded] = [s.record.transaction for k, s in uow.committed.transactions.items() if k[1] == "R-2"]
    [adjustment] = recorded.price_adjustments
    assert [(t.jurisdiction, t.amount.amount_minor) for t in adjustment.taxes] == [("US-NY", 80)]
    assert recorded.tax_total == usd(0)  # 0.80 refunded on the returned tee, 0.80 charged on the kept one
    # The kept tee comes back at what it now cost: 10.00 plus the 0.80 tax charged on the re-pricing.
    last = tx("R-3", "return", [item("r2", "TEE", 1000, returned=True, original="2")], 1080)
    final = await post(record, msgspec_replace(last, original_document_id="S-1"))
    assert final.status == "posted", final.errors
    assert by_role(uow.committed.entries[final.entry_ids[0]]) == {
        ("revenue", "debit"): 1000,
        ("tax_payable", "debit"): 80,
        ("tender_clearing", "credit"): 1080,
    }


async def test_a_free_line_without_tax_lines_takes_the_rate_of_the_same_sku() -> None:
    record, uow = ledger(bogo_event(scope=None, buy_set={"skus": ["TEE"]}))
    sale = [item("1", "TEE", 1000, tax=80), item("2", "TEE", 1000, free=True)]
    assert (await post(record, tx("S-1", "sale", sale, 1080))).status == "posted"
    back = tx("R-1", "return", [item("r1", "TEE", 1000, returned=True, original="1")], 0)
    outcome = await post(record, msgspec_replace(back, original_document_id="S-1"))
    assert outcome.status == "posted", outcome.errors
    last = tx("R-2", "return", [item("r2", "TEE", 1000, returned=True, original="2")], 1080)
    final = await post(record, msgspec_replace(last, original_document_id="S-1"))
    assert final.status == "posted", final.errors
    [recorded] = [s.record.transaction for k, s in uow.committed.transactions.items() if k[1] == "R-2"]
    assert [(t.jurisdiction, t.amount.amount_minor) for t in recorded.lines[0].taxes] == [("US-NY", 80)]


async def test_a_discount_that_did_not_reduce_the_tax_base_adds_no_tax_on_repricing() -> None:
    record, _ = ledger(bogo_event(scope=None, buy_set={"skus": ["TEE"]}))
    free = item("2", "TEE", 1000, free=True, tax=80)
    free = msgspec_replace(free, discounts=[msgspec_replace(free.discounts[0], reduces_tax_base=False)])
    sale = [item("1", "TEE", 1000, tax=80), free]
    assert (await post(record, tx("S-1", "sale", sale, 1160))).status == "posted"
    back = tx("R-1", "return", [item("r1", "TEE", 1000, returned=True, original="1")], 80)
    outcome = await post(record, msgspec_replace(back, original_document_id="S-1"))
    assert outcome.status == "posted", outcome.errors  # refund = 10.00 + 0.80 - 10.00 re-pricing


def msgspec_replace(value: Any, **changes: Any) -> Any:
    import msgspec

    return msgspec.structs.replace(value, **changes)
