"""Scenario: goods shipped for an order (COGS posted at their cost) come back; inventory reports the
return's disposition (`retail.inventory.return_disposed.v1`), and the ledger reverses COGS at the cost
of the original sale: into inventory when they go back to stock, into the write-off account when they
are damaged or sent away. Once per disposition, whatever the redeliveries."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from canon.inventory import ReturnDisposed, Shipped
from canon.ledger import JournalEntry
from canon.money import Money
from canon.sales import SalesLine, SalesTransaction, Tender
from order_ledger.adapters.memory import InMemoryUnitOfWork
from order_ledger.application.use_cases.post_return_disposition import PostReturnDisposition
from order_ledger.application.use_cases.post_shipment import PostShipment
from order_ledger.application.use_cases.record_transactions import RecordTransactions, Submission
from order_ledger.domain.errors import PostingError
from order_ledger.domain.reference import PostingReference

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)


def usd(minor: int) -> Money:
    return Money(minor, "USD")


def sale() -> SalesTransaction:
    return SalesTransaction(
        source_system="web",
        document_id="W-1",
        kind="sale",
        order_id="O-1",
        channel_id="web",
        node_id="DC1",
        legal_entity_id="US01",
        currency="USD",
        business_date=date(2026, 11, 27),
        occurred_at=NOW,
        lines=[SalesLine(line_id="1", sku="TEE", quantity=3, unit_price=usd(1000))],
        tenders=[
            Tender(tender_id="1", kind="card", amount=usd(3000), processor="adyen", processor_reference="p1")
        ],
    )


def shipped(movement: str, qty: int, cost: int) -> Shipped:
    return Shipped(
        movement_id=movement,
        sku="TEE",
        node="DC1",
        qty=qty,
        order_id="O-1",
        occurred_at=NOW,
        unit_cost=usd(cost),
    )


def disposed(movement: str, disposition: str, qty: int = 1, order_id: str | None = "O-1") -> ReturnDisposed:
    return ReturnDisposed(
        movement_id=movement,
        sku="TEE",
        node="DC1",
        qty=qty,
        disposition=disposition,  # type: ignore[arg-type]
        occurred_at=NOW,
        order_id=order_id,
        rma=None if order_id else "RMA-9",
    )


def lines(entry: JournalEntry) -> list[tuple[str, str, str, int]]:
    return [(x.role, x.account, x.side, x.amount.amount_minor) for x in entry.lines]


async def run(uow: InMemoryUnitOfWork, use_case, event) -> str:  # type: ignore[no-untyped-def]
    async with uow:
        entry_id: str = await use_case(uow, event)
        await uow.commit()
    return entry_id


@pytest.fixture
async def shipped_order() -> InMemoryUnitOfWork:
    uow = InMemoryUnitOfWork()
    await RecordTransactions(uow, clock=lambda: NOW)([Submission(1, sale())], received_via="test")
    await run(uow, PostShipment(clock=lambda: NOW), shipped("M-1", 2, 400))
    await run(uow, PostShipment(clock=lambda: NOW), shipped("M-2", 1, 430))
    return uow


async def test_returned_to_stock_reverses_cogs_into_inventory_at_the_original_cost(shipped_order) -> None:
    uow = shipped_order
    entry_id = await run(uow, PostReturnDisposition(clock=lambda: NOW), disposed("RET-1", "sellable", qty=2))
    entry = uow.committed.entries[entry_id]
    # Shipped 2 at 4.00 and 1 at 4.30: the original sale's cost is 4.10 a unit.
    assert lines(entry) == [("inventory", "1400", "debit", 820), ("cogs", "5000", "credit", 820)]
    assert entry.transaction_kind == "return_disposition"
    assert entry.order_id == "O-1"
    assert entry.channel_id == "web"
    assert "disposition:sellable" in entry.flags
    assert "cost_from_master_data" not in entry.flags


async def test_damaged_or_sent_away_goods_are_written_off(shipped_order) -> None:
    uow = shipped_order
    post = PostReturnDisposition(clock=lambda: NOW)
    damaged = await run(uow, post, disposed("RET-2", "quarantine"))
    away = await run(uow, post, disposed("RET-3", "reverse_logistics"))
    for entry_id in (damaged, away):
        assert lines(uow.committed.entries[entry_id]) == [
            ("cogs", "5200", "debit", 410),
            ("cogs", "5000", "credit", 410),
        ]


async def test_a_redelivered_disposition_is_posted_once(shipped_order) -> None:
    uow = shipped_order
    post = PostReturnDisposition(clock=lambda: NOW)
    first = await run(uow, post, disposed("RET-4", "sellable"))
    events = len(uow.committed.events)
    assert await run(uow, post, disposed("RET-4", "sellable")) == first
    assert len(uow.committed.events) == events
    assert sum(1 for e in uow.committed.entries.values() if e.document_id == "RET-4") == 1


async def test_without_a_shipment_the_master_data_cost_is_used_and_flagged() -> None:
    reference = PostingReference(item_costs={("TEE", "US01"): usd(390)})
    uow = InMemoryUnitOfWork(reference)
    await RecordTransactions(uow, clock=lambda: NOW)([Submission(1, sale())], received_via="test")
    entry_id = await run(uow, PostReturnDisposition(clock=lambda: NOW), disposed("RET-5", "sellable"))
    entry = uow.committed.entries[entry_id]
    assert lines(entry) == [("inventory", "1400", "debit", 390), ("cogs", "5000", "credit", 390)]
    assert "cost_from_master_data" in entry.flags


async def test_without_any_cost_the_disposition_is_refused_with_the_reason() -> None:
    uow = InMemoryUnitOfWork()
    await RecordTransactions(uow, clock=lambda: NOW)([Submission(1, sale())], received_via="test")
    with pytest.raises(PostingError, match="no cost for returned TEE in US01"):
        await run(uow, PostReturnDisposition(clock=lambda: NOW), disposed("RET-6", "sellable"))
