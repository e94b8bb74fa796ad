"""Scenarios: gift card sale and redemption, split tender, a multi-currency day across two legal
entities, a posting into a closed period, cost of goods sold on shipment, variances."""

from __future__ import annotations

from datetime import UTC, date, datetime

from canon.inventory import Shipped
from canon.ledger import JournalEntry
from canon.master_data import FiscalCalendar, FiscalPeriod, Item, LegalEntity
from canon.money import Money
from canon.recon import VariancePosted
from canon.sales import SalesLine, SalesTransaction, TaxLine, Tender
from order_ledger.adapters.memory import InMemoryUnitOfWork
from order_ledger.application.use_cases.post_shipment import PostShipment
from order_ledger.application.use_cases.post_variance import PostVariance
from order_ledger.application.use_cases.record_transactions import RecordTransactions, Submission
from order_ledger.domain.reference import PostingReference

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def money(minor: int, currency: str = "USD") -> Money:
    return Money(minor, currency)


def sale(
    document: str,
    lines: list[SalesLine],
    tenders: list[Tender],
    *,
    entity: str = "US01",
    currency: str = "USD",
    day: date = date(2026, 11, 27),
) -> SalesTransaction:
    return SalesTransaction(
        source_system="pos",
        document_id=document,
        kind="sale",
        order_id=f"O-{document}",
        channel_id="store",
        node_id="S1",
        legal_entity_id=entity,
        currency=currency,
        business_date=day,
        occurred_at=NOW,
        lines=lines,
        tenders=tenders,
    )


def line(sku: str, cents: int, currency: str = "USD", tax: int = 0, category: str | None = None) -> SalesLine:
    taxes = [TaxLine(jurisdiction="US-NY", amount=money(tax, currency))] if tax else []
    return SalesLine(
        line_id=sku, sku=sku, quantity=1, unit_price=money(cents, currency), taxes=taxes, category_id=category
    )


def card(tender_id: str, cents: int, currency: str = "USD", processor: str = "adyen") -> Tender:
    return Tender(
        tender_id=tender_id,
        kind="card",
        amount=money(cents, currency),
        processor=processor,
        processor_reference=f"psp-{tender_id}",
    )


def summary(entry: JournalEntry) -> list[tuple[str, str, str, int]]:
    return [(x.account, x.role, x.side, x.amount.amount_minor) for x in entry.lines]


async def post_one(record: RecordTransactions, uow: InMemoryUnitOfWork, tx: SalesTransaction) -> JournalEntry:
    result = await record([Submission(1, tx)], received_via="test")
    [outcome] = result.outcomes
    assert outcome.status == "posted", outcome.errors
    return uow.committed.entries[outcome.entry_ids[0]]


async def test_gift_card_sale_is_a_liability_and_its_redemption_releases_it() -> None:
    gift_card_item = Item(
        sku="GC-50", name="Gift card 50", category_id="GIFT_CARDS", attributes={"product_type": "gift_card"}
    )
    uow = InMemoryUnitOfWork(PostingReference(items={"GC-50": gift_card_item}))
    record = RecordTransactions(uow, clock=lambda: NOW)
    sold = await post_one(record, uow, sale("G1", [line("GC-50", 5000)], [card("t1", 5000)]))
    assert summary(sold) == [
        ("2300", "gift_card_liability", "credit", 5000),
        ("1150", "tender_clearing", "debit", 5000),
    ]
    redeemed_with = Tender(tender_id="t2", kind="gift_card", amount=money(3000), gift_card_id="GC-123")
    redeemed = await post_one(record, uow, sale("G2", [line("LAMP", 3000)], [redeemed_with]))
    assert summary(redeemed) == [
        ("4000", "revenue", "credit", 3000),
        ("2300", "gift_card_liability", "debit", 3000),
    ]
    assert redeemed.lines[1].memo == "gift card GC-123"


async def test_split_tender_clears_each_tender_with_its_processor_reference() -> None:
    uow = InMemoryUnitOfWork()
    record = RecordTransactions(uow, clock=lambda: NOW)
    cash = Tender(tender_id="t3", kind="cash", amount=money(500))
    loyalty = Tender(tender_id="t4", kind="loyalty", amount=money(200))
    entry = await post_one(
        record,
        uow,
        sale(
            "P1",
            [line("LAMP", 2000, tax=160)],
            [card("t1", 1000), card("t2", 460, processor="stripe"), cash, loyalty],
        ),
    )
    assert summary(entry) == [
        ("4000", "revenue", "credit", 2000),
        ("2200", "tax_payable", "credit", 160),
        ("1150", "tender_clearing", "debit", 1000),
        ("1150", "tender_clearing", "debit", 460),
        ("1100", "tender_clearing", "debit", 500),
        ("2310", "loyalty_liability", "debit", 200),
    ]
    clearing = [(x.processor, x.processor_reference) for x in entry.lines if x.tender_kind == "card"]
    assert clearing == [("adyen", "psp-t1"), ("stripe", "psp-t2")]
    assert entry.lines[1].jurisdiction == "US-NY"


async def test_multi_currency_day_across_two_legal_entities_balances_per_currency() -> None:
    entities = {
        "US01": LegalEntity(
            legal_entity_id="US01",
            name="US",
            country="US",
            functional_currency="USD",
            chart_id="US-GAAP",
            timezone="America/New_York",
        ),
        "DE01": LegalEntity(
            legal_entity_id="DE01",
            name="DE",
            country="DE",
            functional_currency="EUR",
            chart_id="HGB",
            timezone="Europe/Berlin",
        ),
    }
    uow = InMemoryUnitOfWork(PostingReference(legal_entities=entities))
    record = RecordTransactions(uow, clock=lambda: NOW)
    transactions = [
        sale("M1", [line("LAMP", 1000)], [card("a", 1000)]),
        sale(
            "M2", [line("LAMP", 900, "EUR", tax=171)], [card("b", 1071, "EUR")], entity="DE01", currency="EUR"
        ),
        sale("M3", [line("LAMP", 5000, "GBP")], [card("c", 5000, "GBP")], entity="DE01", currency="GBP"),
        sale("M4", [line("DESK", 2500)], [card("d", 2500)]),
    ]
    result = await record([Submission(i, t) for i, t in enumerate(transactions, 1)], received_via="test")
    assert result.posted == 4
    totals: dict[tuple[str, str], list[int]] = {}
    for entry in uow.committed.entries.values():
        sums = totals.setdefault((entry.legal_entity_id, entry.currency), [0, 0])
        for x in entry.lines:
            sums[0 if x.side == "debit" else 1] += x.amount.amount_minor
    assert totals == {
        ("US01", "USD"): [3500, 3500],
        ("DE01", "EUR"): [1071, 1071],
        ("DE01", "GBP"): [5000, 5000],
    }
    assert {
        e.legal_entity_id: e.lines[0].dimensions["legal_entity"] for e in uow.committed.entries.values()
    } == {"US01": "US01", "DE01": "DE01"}


async def test_posting_into_a_closed_period_lands_in_the_next_open_one_flagged_late() -> None:
    calendar = FiscalCalendar(
        legal_entity_id="US01",
        fiscal_year=2026,
        periods=[
            FiscalPeriod(
                period_id="2026-10", start=date(2026, 10, 1), end=date(2026, 10, 31), status="closed"
            ),
            FiscalPeriod(period_id="2026-11", start=date(2026, 11, 1), end=date(2026, 11, 30)),
        ],
    )
    uow = InMemoryUnitOfWork(PostingReference(calendars={"US01": [calendar]}))
    record = RecordTransactions(uow, clock=lambda: NOW)
    late = await post_one(
        record, uow, sale("L1", [line("LAMP", 1000)], [card("a", 1000)], day=date(2026, 10, 30))
    )
    on_time = await post_one(record, uow, sale("L2", [line("LAMP", 1000)], [card("b", 1000)]))
    assert (late.period_id, late.late, late.flags, late.business_date) == (
        "2026-11",
        True,
        ["late_from:2026-10"],
        date(2026, 10, 30),
    )
    assert (on_time.period_id, on_time.late, on_time.flags) == ("2026-11", False, [])


async def test_no_open_period_left_rejects_with_the_reason() -> None:
    calendar = FiscalCalendar(
        legal_entity_id="US01",
        fiscal_year=2026,
        periods=[
            FiscalPeriod(
                period_id="2026-11", start=date(2026, 11, 1), end=date(2026, 11, 30), status="closed"
            )
        ],
    )
    uow = InMemoryUnitOfWork(PostingReference(calendars={"US01": [calendar]}))
    result = await RecordTransactions(uow, clock=lambda: NOW)(
        [Submission(1, sale("X", [line("A", 1)], [card("a", 1)]))], received_via="test"
    )
    [outcome] = result.outcomes
    assert (outcome.status, outcome.errors[0].field) == ("rejected", "business_date")
    assert "closed period 2026-11" in outcome.errors[0].reason


async def test_shipment_posts_cost_of_goods_sold_at_master_cost_when_the_event_has_none() -> None:
    uow = InMemoryUnitOfWork(PostingReference(item_costs={("LAMP", "US01"): money(420)}))
    record = RecordTransactions(uow, clock=lambda: NOW)
    await post_one(record, uow, sale("C1", [line("LAMP", 1000)], [card("a", 1000)]))
    shipped = Shipped(movement_id="mv-1", sku="LAMP", node="DC9", qty=2, order_id="O-C1", occurred_at=NOW)
    async with uow as work:
        entry_id = await PostShipment(clock=lambda: NOW)(work, shipped)
        again = await PostShipment(clock=lambda: NOW)(work, shipped)
        await work.commit()
    assert again == entry_id
    entry = uow.committed.entries[entry_id]
    assert summary(entry) == [("5000", "cogs", "debit", 840), ("1400", "inventory", "credit", 840)]
    assert (entry.order_id, entry.transaction_kind, entry.flags) == (
        "O-C1",
        "shipment",
        ["cost_from_master_data", "no_fiscal_calendar"],
    )


async def test_processor_fee_variance_debits_fees_and_credits_the_processor_clearing_account() -> None:
    uow = InMemoryUnitOfWork()
    variance = VariancePosted(
        variance_id="v1",
        kind="processor_fee",
        amount=money(24),
        legal_entity_id="US01",
        business_date=date(2026, 11, 27),
        processor="adyen",
        settlement_report_id="batch-2",
        processor_reference="psp-1",
    )
    async with uow as work:
        entry_id = await PostVariance(clock=lambda: NOW)(work, variance)
        await work.commit()
    entry = uow.committed.entries[entry_id]
    assert summary(entry) == [
        ("6100", "processor_fee", "debit", 24),
        ("1150", "tender_clearing", "credit", 24),
    ]
    assert entry.lines[1].processor_reference == "psp-1"
