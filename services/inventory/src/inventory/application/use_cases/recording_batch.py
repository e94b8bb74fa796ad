"""Record many movements in one transaction: the throughput path (REST batches, NATS, reservations).

Same result as recording them one by one with :func:`record_movement`, in the given order: every
position the batch touches is locked once (sorted), movements are folded in memory, and the writes
go out together. A rejected movement leaves nothing behind and the others go on; a late one is
handed to :func:`record_movement` after the pending writes are flushed (its re-fold reads the log).

Events: each movement's own events in order, then one PositionChanged per position changed since the
last flush, carrying its state at commit (intermediate states inside one transaction were never
visible to anyone, so channels lose nothing).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from canon.errors import ValidationError
from canon.inventory import InventoryEvent

from inventory.application.ports import ItemCosts, UnitOfWork
from inventory.application.use_cases.recording import costed, record_movement
from inventory.domain.apply import apply
from inventory.domain.events import movement_events, position_changes
from inventory.domain.movements import Movement, affected_keys, reservation_id_of
from inventory.domain.ordering import is_late
from inventory.domain.position import Position, PositionKey
from inventory.domain.reservation import Reservation

Status = Literal["accepted", "duplicate", "rejected"]


@dataclass(frozen=True)
class MovementResult:
    """``reservation``: the named reservation after the movement (as found, for a duplicate)."""

    status: Status
    error: ValidationError | None = None
    reservation: Reservation | None = None


@dataclass
class _Pending:
    """Writes not yet sent: accepted movements, their events, positions before their first change."""

    before_writes: Callable[[], Awaitable[None]] | None = None
    movements: list[Movement] = field(default_factory=list)
    events: list[InventoryEvent] = field(default_factory=list)
    before: dict[PositionKey, Position] = field(default_factory=dict)
    reservations: dict[str, Reservation] = field(default_factory=dict)

    async def may_write(self) -> None:
        """Awaits the caller's ``before_writes`` once, before the first write."""
        if self.before_writes is not None:
            gate, self.before_writes = self.before_writes, None
            await gate()

    async def flush(
        self, uow: UnitOfWork, positions: dict[PositionKey, Position], item_costs: ItemCosts | None
    ) -> None:
        if not self.movements:
            return
        await self.may_write()
        after = {key: positions[key] for key in self.before}
        await uow.movements.append_many(self.movements)
        await uow.positions.save_many(after.values())
        await uow.reservations.save_many(self.reservations.values())
        for event in [*self.events, *position_changes(self.before, after)]:
            await uow.outbox.add(await costed(event, item_costs))
        self.movements, self.events, self.before, self.reservations = [], [], {}, {}


async def record_batch(
    uow: UnitOfWork,
    movements: Sequence[Movement],
    item_costs: ItemCosts | None = None,
    *,
    on_locked: Callable[[], None] | None = None,
    before_writes: Callable[[], Awaitable[None]] | None = None,
) -> list[MovementResult]:
    """One result per movement, in order; the caller commits (when anything was accepted).

    ``on_locked`` is called once every position and reservation the batch touches is locked, and
    ``before_writes`` is awaited before the first write: a caller running batches one behind the
    other (the NATS consumer) lets the next batch lock after this one and write after it."""
    keys = sorted({key for movement in movements for key in affected_keys(movement)})
    positions = await uow.positions.get_many(keys, for_update=True)
    reservation_ids = sorted({rid for movement in movements if (rid := reservation_id_of(movement))})
    reservations = await uow.reservations.get_many(reservation_ids, for_update=True)
    if on_locked is not None:
        on_locked()
    seen = await uow.movements.recorded(movement.idempotency_key for movement in movements)
    pending = _Pending(before_writes)
    audit = uow.outbox.records_movements
    results: list[MovementResult] = []
    for movement in movements:
        reservation_id = reservation_id_of(movement)
        movement_keys = affected_keys(movement)
        if movement.idempotency_key in seen:
            found = reservations.get(reservation_id) if reservation_id else None
            results.append(MovementResult("duplicate", reservation=found))
            continue
        if any(is_late(positions.get(key), movement) for key in movement_keys):
            await pending.flush(uow, positions, item_costs)
            await pending.may_write()
            try:
                recorded = await record_movement(uow, movement, item_costs)
            except ValidationError as error:
                results.append(MovementResult("rejected", error=error))
                continue
            positions.update(recorded.positions)
            reservations = await uow.reservations.get_many(reservation_ids)  # a re-fold may change several
            seen.add(movement.idempotency_key)
            results.append(MovementResult("accepted", reservation=recorded.reservation))
            continue
        reservation = reservations.get(reservation_id) if reservation_id else None
        try:
            applied = apply(positions, movement, reservation, events=False)
        except ValidationError as error:
            results.append(MovementResult("rejected", error=error))
            continue
        for key in movement_keys:
            pending.before.setdefault(key, positions.get(key) or Position.empty(key))
        positions.update(applied.positions)
        if applied.reservation is not None:
            reservations[applied.reservation.reservation_id] = applied.reservation
            pending.reservations[applied.reservation.reservation_id] = applied.reservation
        pending.movements.append(movement)
        pending.events.extend(movement_events(movement, audit=audit))
        seen.add(movement.idempotency_key)
        results.append(MovementResult("accepted", reservation=applied.reservation))
    await pending.flush(uow, positions, item_costs)
    return results
