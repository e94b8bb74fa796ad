"""Outgoing events of the order ledger, with deterministic ids from business keys."""

from __future__ import annotations

from datetime import datetime

from canon.envelope import Envelope
from canon.ledger import ENTRY_POSTED, EntryPosted, JournalEntry
from canon.sales import TRANSACTION_RECORDED, SalesTransaction, TransactionRecorded

from order_ledger.domain.ids import deterministic_id

SOURCE = "/retail-sync/order_ledger"


def transaction_recorded(
    tx: SalesTransaction, recorded_at: datetime, correlation_id: str | None = None
) -> tuple[Envelope, bytes]:
    envelope = Envelope.new(
        type=TRANSACTION_RECORDED.type,
        source=SOURCE,
        subject=tx.order_id,
        id=deterministic_id("sales-recorded", tx.source_system, tx.document_id, str(tx.revision)),
        correlation_id=correlation_id,
        time=recorded_at,
    )
    return envelope, TRANSACTION_RECORDED.encode(TransactionRecorded(transaction=tx, recorded_at=recorded_at))


def entry_posted(entry: JournalEntry, correlation_id: str | None = None) -> tuple[Envelope, bytes]:
    envelope = Envelope.new(
        type=ENTRY_POSTED.type,
        source=SOURCE,
        subject=entry.order_id or entry.document_id,
        id=deterministic_id("ledger-entry-posted", entry.entry_id),
        correlation_id=correlation_id,
        time=entry.posted_at,
    )
    return envelope, ENTRY_POSTED.encode(EntryPosted(entry=entry))
