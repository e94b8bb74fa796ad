"""ReserveStock: promise stock to an order for a while.

Rules: refused with InsufficientStock (nothing committed) if it would take available to sell below
zero, under any concurrency (the position row is locked for the check); a replayed reservation id
changes nothing and returns the reservation as it stands; it expires ``ttl`` after now; the sku and
node must be known to master data.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import msgspec
from canon.errors import ValidationError
from canon.ids import deterministic_id

from inventory.application.ports import Clock, References, UnitOfWork
from inventory.application.use_cases.record_movements import reference_errors
from inventory.application.use_cases.recording import record_movement
from inventory.domain.movements import ReservationCreated
from inventory.domain.reservation import Reservation


class ReserveStockCmd(msgspec.Struct, frozen=True, kw_only=True):
    reservation_id: str
    sku: str
    node: str
    qty: int
    ttl: timedelta
    order_id: str | None = None
    source_system: str = "inventory"


def reservation_movement(cmd: ReserveStockCmd, now: datetime) -> ReservationCreated:
    """The movement a reservation command records (ValidationError names a bad field)."""
    if cmd.ttl <= timedelta(0):
        raise ValidationError("ttl", "must be positive")
    return ReservationCreated(
        idempotency_key=deterministic_id("inventory", "reservation_created", cmd.reservation_id),
        source_system=cmd.source_system,
        occurred_at=now,
        sku=cmd.sku,
        node=cmd.node,
        qty=cmd.qty,
        reservation_id=cmd.reservation_id,
        expires_at=now + cmd.ttl,
        order_id=cmd.order_id,
    )


class ReserveStock:
    def __init__(self, uow: UnitOfWork, clock: Clock, references: References | None = None) -> None:
        self._uow = uow
        self._clock = clock
        self._references = references

    async def __call__(self, cmd: ReserveStockCmd) -> Reservation:
        movement = reservation_movement(cmd, self._clock.now())
        if self._references is not None and (errors := await reference_errors(self._references, [movement])):
            raise errors[0]
        async with self._uow as uow:
            recorded = await record_movement(uow, movement)
            await uow.commit()
        if recorded.reservation is None:  # only if the log and reservations disagree
            raise ValidationError("reservation_id", f"reservation {cmd.reservation_id!r} not found")
        return recorded.reservation
