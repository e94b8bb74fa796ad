"""Outgoing events of the order ledger, with deterministic ids from business keys.

An `OutgoingEvent` holds an envelope's fields without building (and checking) an `Envelope`: the
posting hot path writes its headers straight from them, and the recorded payload splices in the
transaction's JSON already encoded for its row, so each transaction is encoded once. They give the
headers and payload bytes that `Envelope.new` and the canon codecs give (tests/unit/test_ledger_events.py).
`entry_posted` is the (Envelope, payload) form the other use cases queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import msgspec
from canon.envelope import NATS_MSG_ID, SPEC_VERSION, Envelope
from canon.errors import ValidationError
from canon.ledger import ENTRY_POSTED, EntryPosted, JournalEntry
from canon.sales import TRANSACTION_RECORDED, SalesTransaction

from order_ledger.domain.ids import deterministic_id

SOURCE = "/retail-sync/order_ledger"
_CONTENT_TYPE = "application/json"


@dataclass(frozen=True, slots=True)
class OutgoingEvent:
    """An event to queue: what `Envelope.new(type, SOURCE, subject, id, correlation_id, time)` holds."""

    id: str
    type: str
    subject: str
    correlation_id: str
    time: datetime
    payload: bytes

    def __post_init__(self) -> None:  # what Envelope would refuse of the fields that vary
        if not self.subject.strip():
            raise ValidationError("subject", "must not be empty")
        if not self.correlation_id.strip():
            raise ValidationError("correlation_id", "must not be empty")

    def headers(self, time: str) -> dict[str, str]:
        """`self.envelope().to_headers()`, given `time` = `format_time(self.time)` (one per batch)."""
        return {
            "ce-id": self.id,
            "ce-type": self.type,
            "ce-source": SOURCE,
            "ce-time": time,
            "ce-specversion": SPEC_VERSION,
            "ce-subject": self.subject,
            "ce-datacontenttype": _CONTENT_TYPE,
            "correlation-id": self.correlation_id,
            NATS_MSG_ID: self.id,
        }

    def envelope(self) -> Envelope:
        return Envelope.new(
            type=self.type,
            source=SOURCE,
            subject=self.subject,
            id=self.id,
            correlation_id=self.correlation_id,
            time=self.time,
        )


class _RecordedWire(msgspec.Struct, frozen=True, kw_only=True):
    """`TransactionRecorded` with the transaction already encoded (same fields, same order)."""

    transaction: msgspec.Raw
    recorded_at: datetime


_ENCODER = msgspec.json.Encoder()
encode_transaction = _ENCODER.encode


def recorded_id(tx: SalesTransaction) -> str:
    return deterministic_id("sales-recorded", tx.source_system, tx.document_id, str(tx.revision))


def posted_id(entry: JournalEntry) -> str:
    return deterministic_id("ledger-entry-posted", entry.entry_id)


def entry_posted(entry: JournalEntry, correlation_id: str | None = None) -> tuple[Envelope, bytes]:
    event = posted_event(entry, correlation_id)
    return event.envelope(), event.payload


def recorded_event(
    tx: SalesTransaction, tx_json: bytes, recorded_at: datetime, correlation_id: str | None = None
) -> OutgoingEvent:
    """`retail.sales.transaction_recorded.v1`, given `tx_json` = `encode_transaction(tx)`."""
    event_id = recorded_id(tx)
    payload = _ENCODER.encode(_RecordedWire(transaction=msgspec.Raw(tx_json), recorded_at=recorded_at))
    return OutgoingEvent(
        event_id,
        TRANSACTION_RECORDED.type,
        tx.order_id,
        event_id if correlation_id is None else correlation_id,
        recorded_at,
        payload,
    )


def posted_event(entry: JournalEntry, correlation_id: str | None = None) -> OutgoingEvent:
    """`retail.ledger.entry_posted.v1`."""
    event_id = posted_id(entry)
    return OutgoingEvent(
        event_id,
        ENTRY_POSTED.type,
        entry.order_id or entry.document_id,
        event_id if correlation_id is None else correlation_id,
        entry.posted_at,
        _ENCODER.encode(EntryPosted(entry=entry)),
    )
