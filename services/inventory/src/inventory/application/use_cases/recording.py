"""The step every write shares: record one movement inside an open unit of work.

A movement that sorts after everything applied to its positions is applied in place; a late one
(occurred at or before a position's ``as_of``) re-folds the position from its log, so the result is
always the fold of the accepted log in occurred-at order. A movement whose fold would break a rule
raises its ValidationError before anything is written, so it is never recorded. The positions are
locked first, so a duplicate sent concurrently waits and is then recognised.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import msgspec
from canon.errors import ValidationError
from canon.inventory import InventoryEvent, Shipped

from inventory.application.errors import ConcurrentChangeError
from inventory.application.ports import ItemCosts, UnitOfWork
from inventory.domain.apply import apply, check_reservation_id
from inventory.domain.errors import InsufficientStock, ReplayBroken
from inventory.domain.events import movement_events, position_changes
from inventory.domain.movements import (
    Allocation,
    Movement,
    ReservationCreated,
    affected_keys,
    reservation_id_of,
)
from inventory.domain.ordering import is_late, replay
from inventory.domain.position import Position, PositionKey
from inventory.domain.reservation import Reservation


@dataclass(frozen=True)
class Recorded:
    """``positions`` after the movement (as found, for a duplicate) and the named reservation."""

    status: Literal["accepted", "duplicate"]
    positions: dict[PositionKey, Position]
    reservation: Reservation | None


async def record_movement(
    uow: UnitOfWork, movement: Movement, item_costs: ItemCosts | None = None
) -> Recorded:
    keys = affected_keys(movement)
    found = await uow.positions.get_many(keys, for_update=True)
    reservation_id = reservation_id_of(movement)
    reservation = await uow.reservations.get(reservation_id, for_update=True) if reservation_id else None
    before = {key: found.get(key) or Position.empty(key) for key in keys}
    if await uow.movements.recorded([movement.idempotency_key]):
        return Recorded("duplicate", before, reservation)
    if any(is_late(found.get(key), movement) for key in keys):
        check_reservation_id(movement, reservation)
        after: dict[PositionKey, Position] = {}
        reservations: dict[str, Reservation] = {}
        for key in keys:
            log = [*await uow.movements.list_for(key), movement]  # the newcomer is recorded last
            try:
                replayed = replay(key, log, safety_stock=before[key].safety_stock)
            except ReplayBroken as broken:
                raise _refusal(movement, before[key], broken) from broken
            after[key] = replayed.position
            reservations.update(replayed.reservations)
        events: list[InventoryEvent] = [*movement_events(movement), *position_changes(before, after)]
        reservation = reservations.get(reservation_id) if reservation_id else None
        changed_reservations = list(reservations.values())
    else:
        applied = apply(found, movement, reservation)
        after, events, reservation = applied.positions, list(applied.events), applied.reservation
        changed_reservations = [reservation] if reservation is not None else []
    if not await uow.movements.append(movement):
        raise ConcurrentChangeError(f"movement {movement.idempotency_key} recorded meanwhile")
    for position in after.values():
        await uow.positions.save(position)
    for changed in changed_reservations:
        await uow.reservations.save(changed)
    for event in events:
        await uow.outbox.add(await costed(event, item_costs))
    return Recorded("accepted", after, reservation)


def _refusal(movement: Movement, before: Position, broken: ReplayBroken) -> ValidationError:
    """Why a late movement is refused, told from its own point of view: a movement accepted
    earlier keeps its place, so the newcomer is the one refused."""
    if broken.idempotency_key == movement.idempotency_key:
        return broken.cause
    if isinstance(broken.cause, InsufficientStock) and isinstance(movement, ReservationCreated | Allocation):
        return InsufficientStock(before.sku, before.node, movement.qty, before.available_to_sell)
    reason = f"would break movement {broken.idempotency_key} recorded earlier: {broken.cause.reason}"
    return ValidationError(broken.cause.field, reason)


async def costed(event: InventoryEvent, item_costs: ItemCosts | None) -> InventoryEvent:
    """A shipment carries the item's unit cost when known, for the ledger's COGS posting."""
    if not isinstance(event, Shipped) or item_costs is None:
        return event
    unit_cost = await item_costs.unit_cost(event.sku, event.node, event.occurred_at)
    return msgspec.structs.replace(event, unit_cost=unit_cost)
