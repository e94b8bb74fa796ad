"""``retail.inventory.*`` event payloads: what the inventory service tells other contexts.

The order ledger posts cost of goods sold from :class:`Shipped`; reconciliation correlates refunds
with :class:`ReturnDisposed`; channels and read models follow :class:`PositionChanged`. Quantities
are integers in the item's unit of measure; instants are UTC.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

import msgspec

from canon import _checks
from canon.errors import ValidationError
from canon.event_type import EventType, register
from canon.money import Money

Disposition = Literal["sellable", "quarantine", "reverse_logistics"]
SnapshotSource = Literal["wms", "erp", "store_count"]


class PositionChanged(msgspec.Struct, frozen=True, kw_only=True):
    """A (sku, node) position after a change; ``available_to_sell`` is never below zero and
    ``shortfall`` says by how much commitments exceed the stock."""

    sku: str
    node: str
    on_hand: int
    reserved: int
    allocated: int
    in_transit: int
    damaged: int
    safety_stock: int
    available_to_sell: int
    shortfall: int = 0
    as_of: datetime | None = None


class Shipped(msgspec.Struct, frozen=True, kw_only=True):
    """Goods left ``node`` for an order: the ledger posts COGS at ``unit_cost`` (None: not known
    yet to inventory, so the ledger looks it up)."""

    movement_id: str
    sku: str
    node: str
    qty: int
    order_id: str
    occurred_at: datetime
    unit_cost: Money | None = None

    def __post_init__(self) -> None:
        _checks.integer("qty", self.qty, minimum=1)
        _checks.utc_instant("occurred_at", self.occurred_at)


class ReturnDisposed(msgspec.Struct, frozen=True, kw_only=True):
    """A returned item was received and given a disposition (at least one of order_id / rma)."""

    movement_id: str
    sku: str
    node: str
    qty: int
    disposition: Disposition
    occurred_at: datetime
    order_id: str | None = None
    rma: str | None = None

    def __post_init__(self) -> None:
        _checks.integer("qty", self.qty, minimum=1)
        _checks.one_of("disposition", self.disposition, Disposition)
        _checks.utc_instant("occurred_at", self.occurred_at)
        if self.order_id is None and self.rma is None:
            raise ValidationError("order_id", "a return names its order_id or rma")


class DriftDetected(msgspec.Struct, frozen=True, kw_only=True):
    """An external count disagrees with the event-derived balance beyond tolerance: an exception
    for a person to resolve (nothing was adjusted). ``quantity`` = counted - derived."""

    sku: str
    node: str
    source: SnapshotSource
    as_of: datetime
    counted_qty: int
    derived_qty: int
    quantity: int
    value: Money | None
    reason: str


class MovementRecorded(msgspec.Struct, frozen=True, kw_only=True):
    """Audit trail of every accepted movement. ``qty`` is the moved quantity (the counted quantity
    for a cycle count, None for a reservation release/expiry); ``references`` holds the movement's
    business keys (order_id, reservation_id, transfer_id, rma, disposition ...)."""

    idempotency_key: str
    movement_type: str
    source_system: str
    occurred_at: datetime
    sku: str
    node: str
    qty: int | None = None
    destination_node: str | None = None
    references: dict[str, str] = {}


MovementType = Literal[
    "receipt",
    "transfer_shipped",
    "transfer_received",
    "reservation_created",
    "reservation_released",
    "reservation_expired",
    "allocation",
    "pick",
    "pack",
    "ship",
    "cancellation",
    "return_received",
    "cycle_count",
    "damage_write_off",
]


class MovementSubmitted(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """A movement a WMS, OMS, POS or ERP connector submits (``retail.inventory.movement_submitted.v1``).

    The wire form of every movement type in one object: ``type`` says which, and which of the
    optional fields it needs (``qty`` for all but cycle counts and reservation releases/expiries,
    ``counted_qty`` for a cycle count, ``order_id`` for ship and cancellation, ``disposition`` and
    ``order_id`` or ``rma`` for a return, ``destination_node`` and ``transfer_id`` for a transfer,
    ``reservation_id`` and ``expires_at`` for a reservation). The inventory service validates per
    type and dead-letters a record that breaks a rule, naming the field. ``idempotency_key`` is the
    source's key for the movement: a re-sent one changes nothing. Publish with ``Nats-Msg-Id`` set
    to the event id (e.g. ``deterministic_id("inventory", "movement", idempotency_key)``). Absent
    optional fields are left out of the JSON, not sent as null.
    """

    type: MovementType
    idempotency_key: str
    source_system: str
    occurred_at: datetime
    sku: str
    node: str
    qty: int | None = None
    counted_qty: int | None = None
    destination_node: str | None = None
    transfer_id: str | None = None
    reservation_id: str | None = None
    expires_at: datetime | None = None
    order_id: str | None = None
    reference: str | None = None
    disposition: Disposition | None = None
    rma: str | None = None
    reason: str | None = None
    write_off_from: Literal["on_hand", "damaged"] | None = None


def _event(name: str, payload: type[Any], description: str) -> EventType[Any]:
    return register(
        EventType(context="inventory", name=name, version=1, payload=payload, description=description)
    )


POSITION_CHANGED = _event("position_changed", PositionChanged, "A stock position (sku, node) changed.")
SHIPPED = _event("shipped", Shipped, "Goods shipped for an order; the ledger posts cost of goods sold.")
RETURN_DISPOSED = _event("return_disposed", ReturnDisposed, "A return was received with a disposition.")
DRIFT_DETECTED = _event(
    "drift_detected",
    DriftDetected,
    "An external stock count differs from the derived balance beyond tolerance.",
)
MOVEMENT_RECORDED = _event("movement_recorded", MovementRecorded, "An inventory movement was accepted.")
MOVEMENT_SUBMITTED = _event(
    "movement_submitted",
    MovementSubmitted,
    "A WMS, OMS, POS or ERP connector submits a movement for the inventory service to record.",
)

InventoryEvent = PositionChanged | Shipped | ReturnDisposed | DriftDetected | MovementRecorded

_EVENT_TYPE_OF_PAYLOAD: dict[type[Any], EventType[Any]] = {
    PositionChanged: POSITION_CHANGED,
    Shipped: SHIPPED,
    ReturnDisposed: RETURN_DISPOSED,
    DriftDetected: DRIFT_DETECTED,
    MovementRecorded: MOVEMENT_RECORDED,
}


def event_type_for(payload: InventoryEvent) -> EventType[Any]:
    """The registered event type that carries ``payload`` (the outbox relay needs the subject)."""
    try:
        return _EVENT_TYPE_OF_PAYLOAD[type(payload)]
    except KeyError:
        raise ValidationError("payload", f"not an inventory event: {type(payload).__name__}") from None


def partition_tokens(payload: InventoryEvent) -> tuple[str, str]:
    """Subject partition (sku, node): per-position ordering for consumers."""
    return payload.sku, payload.node
