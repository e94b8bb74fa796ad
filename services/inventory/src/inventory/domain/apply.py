"""``apply``: the pure effect of one movement on the positions (and reservation) it touches.

Rules (each leg checks only its own position):
- ship / transfer out / write-off from on hand take at most the sellable on hand (on hand - damaged),
  else InsufficientOnHand;
- a reservation, or an allocation without a reservation, may not take available to sell below zero,
  else InsufficientStock; a reservation id already known is a no-op;
- a release/expiry of an unknown or closed reservation changes nothing (it is already not held);
- pick and pack change no quantity; a cycle count sets on hand (see ordering.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import msgspec
from canon.errors import ValidationError
from canon.inventory import InventoryEvent

from inventory.domain import movements as mv
from inventory.domain.errors import InsufficientOnHand, InsufficientStock
from inventory.domain.events import movement_events, position_changes
from inventory.domain.position import Position, PositionKey
from inventory.domain.reservation import Reservation, ReservationStatus


@dataclass(frozen=True)
class Applied:
    """Positions after the movement (every affected key), the referenced reservation's new state
    (None if the movement names none or it stays unknown) and the domain events to publish."""

    positions: dict[PositionKey, Position]
    reservation: Reservation | None
    events: tuple[InventoryEvent, ...]


def apply(
    positions: Mapping[PositionKey, Position],
    movement: mv.Movement,
    reservation: Reservation | None = None,
    *,
    events: bool = True,
) -> Applied:
    """Apply ``movement`` to ``positions`` (missing ones start empty); raises a ValidationError.
    ``events=False``: no events (a batch builds its own, one position change per position)."""
    before = {key: positions.get(key) or Position.empty(key) for key in mv.affected_keys(movement)}
    after: dict[PositionKey, Position] = {}
    for key, position in before.items():
        after[key], reservation = apply_to_position(position, movement, reservation)
    if not events:
        return Applied(positions=after, reservation=reservation, events=())
    return Applied(
        positions=after,
        reservation=reservation,
        events=(*movement_events(movement), *position_changes(before, after)),
    )


def apply_to_position(
    position: Position, movement: mv.Movement, reservation: Reservation | None = None
) -> tuple[Position, Reservation | None]:
    """One leg: ``position`` (one of the movement's affected keys) after ``movement``."""
    if position.key not in mv.affected_keys(movement):
        raise ValueError(f"{movement.idempotency_key} does not change position {position.key}")
    if reservation is not None and reservation.reservation_id != mv.reservation_id_of(movement):
        raise ValueError(
            f"reservation {reservation.reservation_id} is not the one {movement.idempotency_key} names"
        )
    if reservation is not None and reservation.key != position.key:
        check_reservation_id(movement, reservation)
        reservation = None  # another position's reservation is not held here
    as_of, count_at_as_of = _later(position, movement)
    changes, reservation = _move(position, movement, reservation)
    # one replace (one validation of the invariants) per leg
    return msgspec.structs.replace(
        position, as_of=as_of, count_at_as_of=count_at_as_of, **changes
    ), reservation


Changes = dict[str, int]


def _move(
    p: Position, movement: mv.Movement, reservation: Reservation | None
) -> tuple[Changes, Reservation | None]:
    """The quantities ``movement`` changes at ``p`` (and the reservation after it)."""
    match movement:
        case mv.Receipt(qty=qty):
            return _with(p, on_hand=p.on_hand + qty), reservation
        case mv.TransferShipped(qty=qty) if p.key == movement.key:
            _require_sellable(p, qty)
            return _with(p, on_hand=p.on_hand - qty), reservation
        case mv.TransferShipped(qty=qty):
            return _with(p, in_transit=p.in_transit + qty), reservation
        case mv.TransferReceived(qty=qty):
            return _with(
                p, on_hand=p.on_hand + qty, in_transit=p.in_transit - min(qty, p.in_transit)
            ), reservation
        case mv.ReservationCreated():
            return _reserve(p, movement, reservation)
        case mv.ReservationReleased() | mv.ReservationExpired():
            status: ReservationStatus = (
                "expired" if isinstance(movement, mv.ReservationExpired) else "released"
            )
            taken, reservation = _take_reserved(reservation, None, status)
            return _with(p, reserved=p.reserved - taken), reservation
        case mv.Allocation():
            return _allocate(p, movement, reservation)
        case mv.Pick() | mv.Pack():
            return {}, reservation
        case mv.Ship(qty=qty):
            _require_sellable(p, qty)
            from_reserved, reservation = _take_reserved(reservation, qty, "shipped")
            from_allocated = min(qty - from_reserved, p.allocated)
            return _with(
                p,
                on_hand=p.on_hand - qty,
                reserved=p.reserved - from_reserved,
                allocated=p.allocated - from_allocated,
            ), reservation
        case mv.Cancellation(qty=qty):
            from_reserved, reservation = _take_reserved(reservation, qty, "cancelled")
            from_allocated = min(qty - from_reserved, p.allocated)
            return _with(
                p, reserved=p.reserved - from_reserved, allocated=p.allocated - from_allocated
            ), reservation
        case mv.ReturnReceived(qty=qty, disposition="sellable"):
            return _with(p, on_hand=p.on_hand + qty), reservation
        case mv.ReturnReceived(qty=qty, disposition="quarantine"):
            return _with(p, on_hand=p.on_hand + qty, damaged=p.damaged + qty), reservation
        case mv.ReturnReceived():  # reverse logistics: received and sent on, never stocked here
            return {}, reservation
        case mv.CycleCount(counted_qty=counted):
            return _with(p, on_hand=counted, damaged=min(p.damaged, counted)), reservation
        case mv.DamageWriteOff(qty=qty, write_off_from="damaged"):
            if qty > p.damaged:
                raise ValidationError("qty", f"{qty} to write off, only {p.damaged} damaged at {p.node}")
            return _with(p, on_hand=p.on_hand - qty, damaged=p.damaged - qty), reservation
        case mv.DamageWriteOff(qty=qty):
            _require_sellable(p, qty)
            return _with(p, on_hand=p.on_hand - qty), reservation
    raise ValidationError("type", f"unknown movement {type(movement).__name__}")


def check_reservation_id(movement: mv.Movement, reservation: Reservation | None) -> None:
    """A new reservation may not reuse the id of a reservation held at another position."""
    if (
        isinstance(movement, mv.ReservationCreated)
        and reservation is not None
        and reservation.key != movement.key
    ):
        raise ValidationError("reservation_id", f"already used for {reservation.sku} at {reservation.node}")


def _reserve(
    p: Position, movement: mv.ReservationCreated, existing: Reservation | None
) -> tuple[Changes, Reservation | None]:
    if existing is not None:
        return {}, existing  # replayed reservation id: no effect
    if movement.qty > p.net_available:
        raise InsufficientStock(p.sku, p.node, requested=movement.qty, available=p.available_to_sell)
    reservation = Reservation(
        reservation_id=movement.reservation_id,
        sku=p.sku,
        node=p.node,
        qty=movement.qty,
        open_qty=movement.qty,
        expires_at=movement.expires_at,
        created_at=movement.occurred_at,
        order_id=movement.order_id,
    )
    return _with(p, reserved=p.reserved + movement.qty), reservation


def _allocate(
    p: Position, movement: mv.Allocation, reservation: Reservation | None
) -> tuple[Changes, Reservation | None]:
    qty = movement.qty
    if movement.reservation_id is None:
        if qty > p.net_available:
            raise InsufficientStock(p.sku, p.node, requested=qty, available=p.available_to_sell)
        return _with(p, allocated=p.allocated + qty), reservation
    if reservation is None or not reservation.is_open:
        raise ValidationError(
            "reservation_id", f"no open reservation {movement.reservation_id!r} to allocate from"
        )
    if qty > reservation.open_qty:
        raise ValidationError("qty", f"{qty} to allocate, reservation holds {reservation.open_qty}")
    _, reservation = _take_reserved(reservation, qty, "allocated")
    return _with(p, reserved=p.reserved - qty, allocated=p.allocated + qty), reservation


def _take_reserved(
    reservation: Reservation | None, wanted: int | None, closed_as: ReservationStatus
) -> tuple[int, Reservation | None]:
    """Take up to ``wanted`` (None: all) from an open reservation; it closes when nothing is left."""
    if reservation is None or not reservation.is_open:
        return 0, reservation
    taken = reservation.open_qty if wanted is None else min(wanted, reservation.open_qty)
    left = reservation.open_qty - taken
    status: ReservationStatus = "open" if left else closed_as
    return taken, msgspec.structs.replace(reservation, open_qty=left, status=status)


def _require_sellable(p: Position, qty: int) -> None:
    if qty > p.sellable_on_hand:
        raise InsufficientOnHand(p.sku, p.node, requested=qty, on_hand=p.sellable_on_hand)


def _later(position: Position, movement: mv.Movement) -> tuple[datetime, bool]:
    """The position's new ``as_of`` and whether a cycle count occurred at it."""
    is_count = isinstance(movement, mv.CycleCount)
    if position.as_of is None or movement.occurred_at > position.as_of:
        return movement.occurred_at, is_count
    if movement.occurred_at == position.as_of:
        return position.as_of, position.count_at_as_of or is_count
    return position.as_of, position.count_at_as_of


def _with(position: Position, **quantities: int) -> Changes:
    """The changed quantities (``position`` is there to read like the rule it applies)."""
    return quantities
