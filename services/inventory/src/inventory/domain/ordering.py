"""Event-derived state: a position is the fold of its movements in occurred-at order.

Order: ``occurred_at``, then cycle counts after other movements at the same instant (a count as
of T has seen everything that happened at T), then the order they were recorded in (a stable
sort of the log): causal within an instant (a reservation before its release) and the movement
accepted first keeps its place. So a cycle count at T sets on hand to the counted quantity;
movements occurring before T are superseded by it (the count saw them), movements occurring after
T apply on top of it, whenever either arrives. A late event is counted correctly by re-folding,
and rebuilding from the log equals live processing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from canon.errors import ValidationError

from inventory.domain import movements as mv
from inventory.domain.apply import apply_to_position
from inventory.domain.errors import ReplayBroken
from inventory.domain.position import Position, PositionKey
from inventory.domain.reservation import Reservation


def ordering_key(movement: mv.Movement) -> tuple[datetime, int]:
    """Sort key; ties keep the recorded order (sorts are stable)."""
    return (movement.occurred_at, 1 if isinstance(movement, mv.CycleCount) else 0)


def in_order(movements: Iterable[mv.Movement]) -> list[mv.Movement]:
    """De-duplicated by idempotency key (first seen wins) and stably sorted by :func:`ordering_key`;
    pass movements in the order they were recorded."""
    unique: dict[str, mv.Movement] = {}
    for movement in movements:
        unique.setdefault(movement.idempotency_key, movement)
    return sorted(unique.values(), key=ordering_key)


def is_late(position: Position | None, movement: mv.Movement) -> bool:
    """True when the movement does not sort after everything already applied to ``position``, so
    the position must be re-folded rather than updated in place. A tie with ``as_of`` sorts last
    (it is recorded last) unless a cycle count occurred at that instant and the movement is not one."""
    if position is None or position.as_of is None or movement.occurred_at > position.as_of:
        return False
    if movement.occurred_at < position.as_of:
        return True
    return position.count_at_as_of and not isinstance(movement, mv.CycleCount)


@dataclass(frozen=True)
class Replayed:
    position: Position
    reservations: dict[str, Reservation]


def replay(key: PositionKey, movements: Iterable[mv.Movement], *, safety_stock: int = 0) -> Replayed:
    """The position at ``key`` (and its reservations) from its movements; movements that do not
    change ``key`` are ignored. ReplayBroken names the first movement that breaks a rule."""
    position = Position.empty(key, safety_stock=safety_stock)
    reservations: dict[str, Reservation] = {}
    for movement in in_order(movements):
        if key not in mv.affected_keys(movement):
            continue
        reservation_id = mv.reservation_id_of(movement)
        existing = reservations.get(reservation_id) if reservation_id else None
        try:
            position, reservation = apply_to_position(position, movement, existing)
        except ValidationError as broken:
            raise ReplayBroken(movement.idempotency_key, broken) from broken
        if reservation is not None:
            reservations[reservation.reservation_id] = reservation
    return Replayed(position=position, reservations=reservations)


def balance_as_of(
    movements: Iterable[mv.Movement], sku: str, node: str, instant: datetime, *, safety_stock: int = 0
) -> Position:
    """What the events say the position was at ``instant``: movements occurring at or before it
    (``movements`` in recorded order, as the log lists them)."""
    relevant = [movement for movement in movements if movement.occurred_at <= instant]
    return replay(PositionKey(sku, node), relevant, safety_stock=safety_stock).position
