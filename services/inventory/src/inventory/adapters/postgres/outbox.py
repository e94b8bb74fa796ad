"""The Outbox port over the shared outbox table: events are buffered and written at commit, in order.

Event ids are deterministic where the event has a business key (a movement's idempotency key, a
snapshot line), so the same fact never gets two ids; a position change gets a fresh id (it is
written once, by the transaction that made it).
"""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec
from canon.envelope import NATS_MSG_ID, SPEC_VERSION, format_time
from canon.ids import deterministic_id, new_id
from canon.inventory import (
    DriftDetected,
    InventoryEvent,
    MovementRecorded,
    ReturnDisposed,
    Shipped,
    event_type_for,
)
from sqlalchemy.ext.asyncio import AsyncSession

from inventory.adapters.postgres.driver import driver_connection

SOURCE = "inventory"
# One round trip (COPY takes two), rows in the order added (the relay publishes in seq order).
_INSERT = """
INSERT INTO outbox (event_id, subject, headers, payload)
SELECT event_id, subject, headers::jsonb, payload
FROM unnest($1::text[], $2::text[], $3::text[], $4::bytea[])
WITH ORDINALITY AS r(event_id, subject, headers, payload, position) ORDER BY position
"""
_ENCODER = msgspec.json.Encoder()


def event_id(event: InventoryEvent) -> str:
    match event:
        case MovementRecorded():
            return deterministic_id(SOURCE, "movement_recorded", event.idempotency_key)
        case Shipped():
            return deterministic_id(SOURCE, "shipped", event.movement_id)
        case ReturnDisposed():
            return deterministic_id(SOURCE, "return_disposed", event.movement_id)
        case DriftDetected():
            return deterministic_id(
                SOURCE, "drift_detected", event.source, event.sku, event.node, event.as_of.isoformat()
            )
    return new_id()


def envelope_headers(event: InventoryEvent, event_time: str) -> dict[str, str]:
    """What ``Envelope.to_headers()`` gives for the event's envelope (an event starting its own
    chain: the correlation id is its id), built directly: the outbox writes one per event."""
    identifier = event_id(event)
    return {
        "ce-id": identifier,
        "ce-type": event_type_for(event).type,
        "ce-source": SOURCE,
        "ce-time": event_time,
        "ce-specversion": SPEC_VERSION,
        "ce-subject": f"{event.sku}@{event.node}",
        "ce-datacontenttype": "application/json",
        "correlation-id": identifier,
        NATS_MSG_ID: identifier,
    }


def outbox_row(event: InventoryEvent, event_time: str) -> tuple[str, str, str, bytes]:
    """(event id, subject, headers as JSON text, payload) of the shared outbox table."""
    event_type = event_type_for(event)
    headers = envelope_headers(event, event_time)
    return headers["ce-id"], event_type.subject, _ENCODER.encode(headers).decode(), event_type.encode(event)


class BufferedOutbox:
    """``publish_movements``: whether MovementRecorded (one audit event per movement) is written.
    Off, the movements table is the audit trail and the relay publishes half as many events."""

    def __init__(self, publish_movements: bool = True) -> None:
        self.pending: list[InventoryEvent] = []
        self._publish_movements = publish_movements

    @property
    def records_movements(self) -> bool:
        return self._publish_movements

    async def add(self, event: InventoryEvent) -> None:
        if self._publish_movements or not isinstance(event, MovementRecorded):
            self.pending.append(event)

    async def flush(self, session: AsyncSession) -> None:
        """One INSERT of every pending event (each id is new: each comes from a fact first recorded
        in this transaction)."""
        if self.pending:
            connection = await driver_connection(session)
            now = format_time(datetime.now(UTC))
            records = [outbox_row(event, now) for event in self.pending]
            await connection.execute(_INSERT, *(list(column) for column in zip(*records, strict=True)))
            self.pending = []
