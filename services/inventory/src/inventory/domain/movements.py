"""Inventory movements: a tagged union (``"type"``) of what WMS/OMS/POS/ERP report.

Every movement carries an idempotency key (a re-sent one is a duplicate), the source system, the
UTC instant it happened and the (sku, node) it changes. Construction (and decoding) validates and
names the field at fault. Effects on positions are in :mod:`inventory.domain.apply`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec
from canon.errors import ValidationError
from canon.inventory import Disposition

from inventory.domain import _checks
from inventory.domain.position import PositionKey


class MovementBase(msgspec.Struct, frozen=True, kw_only=True, tag_field="type"):
    idempotency_key: str
    source_system: str
    occurred_at: datetime
    sku: str
    node: str

    def __post_init__(self) -> None:
        _checks.identifier("idempotency_key", self.idempotency_key)
        _checks.identifier("source_system", self.source_system)
        _checks.utc_instant("occurred_at", self.occurred_at)
        _checks.identifier("sku", self.sku)
        _checks.identifier("node", self.node)

    @property
    def key(self) -> PositionKey:
        return PositionKey(self.sku, self.node)


class _Moved(MovementBase, frozen=True, kw_only=True):
    """A movement of ``qty`` >= 1 units."""

    qty: int

    def __post_init__(self) -> None:
        super().__post_init__()
        _checks.quantity("qty", self.qty, minimum=1)


class Receipt(_Moved, frozen=True, kw_only=True, tag="receipt"):
    """Goods received from a supplier: on hand goes up."""

    reference: str | None = None


class TransferShipped(_Moved, frozen=True, kw_only=True, tag="transfer_shipped"):
    """Leaves on hand at ``node`` (the source) and enters in transit at ``destination_node``."""

    destination_node: str
    transfer_id: str

    def __post_init__(self) -> None:
        super().__post_init__()
        _checks.identifier("destination_node", self.destination_node)
        _checks.identifier("transfer_id", self.transfer_id)
        if self.destination_node == self.node:
            raise ValidationError("destination_node", "a transfer goes to another node")


class TransferReceived(_Moved, frozen=True, kw_only=True, tag="transfer_received"):
    """In transit -> on hand at ``node`` (the destination)."""

    transfer_id: str

    def __post_init__(self) -> None:
        super().__post_init__()
        _checks.identifier("transfer_id", self.transfer_id)


class ReservationCreated(_Moved, frozen=True, kw_only=True, tag="reservation_created"):
    """Promise ``qty`` to an order until ``expires_at``; a known reservation id is a no-op."""

    reservation_id: str
    expires_at: datetime
    order_id: str | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        _checks.identifier("reservation_id", self.reservation_id)
        _checks.utc_instant("expires_at", self.expires_at)
        _checks.optional_identifier("order_id", self.order_id)
        if self.expires_at <= self.occurred_at:
            raise ValidationError("expires_at", "must be after occurred_at")


class _ReservationEnded(MovementBase, frozen=True, kw_only=True):
    """Gives back what is still open on the reservation (unknown or closed: no change)."""

    reservation_id: str

    def __post_init__(self) -> None:
        super().__post_init__()
        _checks.identifier("reservation_id", self.reservation_id)


class ReservationReleased(_ReservationEnded, frozen=True, kw_only=True, tag="reservation_released"):
    """The order no longer needs the reservation."""


class ReservationExpired(_ReservationEnded, frozen=True, kw_only=True, tag="reservation_expired"):
    """The reservation's TTL ran out."""


class Allocation(_Moved, frozen=True, kw_only=True, tag="allocation"):
    """Released to the warehouse for picking: reserved -> allocated (from the named reservation),
    or straight from available to sell when no reservation is named."""

    reservation_id: str | None = None
    order_id: str | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        _checks.optional_identifier("reservation_id", self.reservation_id)
        _checks.optional_identifier("order_id", self.order_id)


class Pick(_Moved, frozen=True, kw_only=True, tag="pick"):
    """Picked in the warehouse: recorded, no quantity changes (still allocated and on hand)."""

    order_id: str | None = None


class Pack(_Moved, frozen=True, kw_only=True, tag="pack"):
    """Packed: recorded, no quantity changes."""

    order_id: str | None = None


class Ship(_Moved, frozen=True, kw_only=True, tag="ship"):
    """Left the node for an order: on hand goes down, and so does what was held for it (the named
    reservation first, then allocated); any rest was sold from free stock (e.g. a store sale)."""

    order_id: str
    reservation_id: str | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        _checks.identifier("order_id", self.order_id)
        _checks.optional_identifier("reservation_id", self.reservation_id)


class Cancellation(_Moved, frozen=True, kw_only=True, tag="cancellation"):
    """An order line was cancelled: releases up to ``qty`` from the named reservation, then the
    rest from allocated (never below zero)."""

    order_id: str
    reservation_id: str | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        _checks.identifier("order_id", self.order_id)
        _checks.optional_identifier("reservation_id", self.reservation_id)


class ReturnReceived(_Moved, frozen=True, kw_only=True, tag="return_received"):
    """A customer return: sellable -> on hand; quarantine -> on hand and damaged; reverse
    logistics -> passes through and leaves the node (no change here)."""

    disposition: Disposition
    order_id: str | None = None
    rma: str | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        _checks.optional_identifier("order_id", self.order_id)
        _checks.optional_identifier("rma", self.rma)
        if self.disposition not in ("sellable", "quarantine", "reverse_logistics"):
            raise ValidationError("disposition", f"unknown disposition {self.disposition!r}")
        if self.order_id is None and self.rma is None:
            raise ValidationError("order_id", "a return names its order_id or rma")


class CycleCount(MovementBase, frozen=True, kw_only=True, tag="cycle_count"):
    """``counted_qty`` units were on hand at ``occurred_at`` (see :mod:`inventory.domain.ordering`
    for how earlier and later movements combine with it)."""

    counted_qty: int
    reason: str | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        _checks.quantity("counted_qty", self.counted_qty, minimum=0)


class DamageWriteOff(_Moved, frozen=True, kw_only=True, tag="damage_write_off"):
    """Destroyed or scrapped: leaves on hand, taken from quarantine or from sellable stock."""

    write_off_from: Literal["on_hand", "damaged"] = "damaged"

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.write_off_from not in ("on_hand", "damaged"):
            raise ValidationError(
                "write_off_from", f"must be 'on_hand' or 'damaged', got {self.write_off_from!r}"
            )


Movement = (
    Receipt
    | TransferShipped
    | TransferReceived
    | ReservationCreated
    | ReservationReleased
    | ReservationExpired
    | Allocation
    | Pick
    | Pack
    | Ship
    | Cancellation
    | ReturnReceived
    | CycleCount
    | DamageWriteOff
)


def affected_keys(movement: Movement) -> tuple[PositionKey, ...]:
    """The positions a movement changes: two for a transfer shipment (source, destination)."""
    if isinstance(movement, TransferShipped):
        return (movement.key, PositionKey(movement.sku, movement.destination_node))
    return (movement.key,)


def reservation_id_of(movement: Movement) -> str | None:
    return getattr(movement, "reservation_id", None)


def movement_type(movement: Movement) -> str:
    """The union tag, e.g. ``"receipt"``."""
    return str(type(movement).__struct_config__.tag)
