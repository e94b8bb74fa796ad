"""The posting hot path's events (OutgoingEvent, the transaction encoded once) are the envelopes and
payloads that `Envelope.new` and the canon codecs build, header for header and byte for byte."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from canon.envelope import Envelope, format_time
from canon.errors import ValidationError
from canon.ledger import ENTRY_POSTED, EntryPosted, JournalEntry, JournalLine
from canon.money import Money
from canon.sales import (
    TRANSACTION_RECORDED,
    SalesLine,
    SalesTransaction,
    TaxLine,
    Tender,
    TransactionRecorded,
)
from order_ledger.application import events

TIMES = [datetime(2026, 11, 27, 12, 0, tzinfo=UTC), datetime(2026, 11, 27, 12, 0, 1, 250, tzinfo=UTC)]


def transaction(order_id: str = 'O-1 "quoted" é') -> SalesTransaction:
    line = SalesLine(
        line_id="1",
        sku="SKU1",
        quantity=2,
        unit_price=Money(500, "USD"),
        taxes=[TaxLine(jurisdiction="US-NY", amount=Money(80, "USD"))],
    )
    return SalesTransaction(
        source_system="pos",
        document_id="D-1",
        kind="sale",
        order_id=order_id,
        channel_id="store",
        node_id="S1",
        legal_entity_id="US01",
        currency="USD",
        business_date=date(2026, 11, 27),
        occurred_at=TIMES[1],
        lines=[line],
        tenders=[Tender(tender_id="1", kind="cash", amount=Money(1080, "USD"))],
    )


def entry(order_id: str | None, posted_at: datetime) -> JournalEntry:
    lines = [
        JournalLine(account="1000", role="tender_clearing", side="debit", amount=Money(1080, "USD")),
        JournalLine(
            account="4000",
            role="revenue",
            side="credit",
            amount=Money(1080, "USD"),
            dimensions={"legal_entity": "US01", "node": "S1"},
        ),
    ]
    return JournalEntry(
        entry_id="E-1",
        legal_entity_id="US01",
        currency="USD",
        business_date=date(2026, 11, 27),
        period_id="2026-11",
        posted_at=posted_at,
        source_system="pos",
        document_id="D-1",
        order_id=order_id,
        transaction_kind="sale",
        lines=lines,
        flags=["late"],
    )


def transaction_recorded(
    tx: SalesTransaction, recorded_at: datetime, correlation_id: str | None
) -> tuple[Envelope, bytes]:
    """The event as canon builds it: Envelope.new and the event type's codec."""
    envelope = Envelope.new(
        type=TRANSACTION_RECORDED.type,
        source=events.SOURCE,
        subject=tx.order_id,
        id=events.recorded_id(tx),
        correlation_id=correlation_id,
        time=recorded_at,
    )
    return envelope, TRANSACTION_RECORDED.encode(TransactionRecorded(transaction=tx, recorded_at=recorded_at))


def entry_posted(posted: JournalEntry, correlation_id: str | None) -> tuple[Envelope, bytes]:
    envelope = Envelope.new(
        type=ENTRY_POSTED.type,
        source=events.SOURCE,
        subject=posted.order_id or posted.document_id,
        id=events.posted_id(posted),
        correlation_id=correlation_id,
        time=posted.posted_at,
    )
    return envelope, ENTRY_POSTED.encode(EntryPosted(entry=posted))


@pytest.mark.parametrize("correlation_id", [None, "corr-1"])
@pytest.mark.parametrize("at", TIMES)
def test_recorded_event_is_transaction_recorded(correlation_id: str | None, at: datetime) -> None:
    tx = transaction()
    envelope, payload = transaction_recorded(tx, at, correlation_id)
    fast = events.recorded_event(tx, events.encode_transaction(tx), at, correlation_id)
    assert fast.payload == payload
    assert fast.envelope() == envelope
    assert fast.headers(format_time(at)) == envelope.to_headers()
    assert list(fast.headers(format_time(at))) == list(envelope.to_headers())  # same header order


@pytest.mark.parametrize("correlation_id", [None, "corr-1"])
@pytest.mark.parametrize("order_id", [None, "", "O-1"])
@pytest.mark.parametrize("at", TIMES)
def test_posted_event_is_entry_posted(correlation_id: str | None, order_id: str | None, at: datetime) -> None:
    posted = entry(order_id, at)
    envelope, payload = entry_posted(posted, correlation_id)
    fast = events.posted_event(posted, correlation_id)
    assert fast.payload == payload
    assert fast.envelope() == envelope
    assert fast.headers(format_time(at)) == envelope.to_headers()
    assert events.entry_posted(posted, correlation_id) == (envelope, payload)


def test_a_blank_subject_is_refused_as_an_envelope_would() -> None:
    tx = transaction(order_id="O-1")
    with pytest.raises(ValidationError):
        events.OutgoingEvent("id", "t", " ", "corr", TIMES[0], b"{}")
    with pytest.raises(ValidationError):
        events.recorded_event(tx, events.encode_transaction(tx), TIMES[0], " ")
