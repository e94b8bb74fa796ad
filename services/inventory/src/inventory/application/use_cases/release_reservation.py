"""ReleaseReservation: the order no longer needs what was reserved.

Rules: gives back the reservation's open quantity; releasing twice, or a reservation that already
expired or was allocated, changes nothing; an unknown reservation id is a ValidationError.
"""

from __future__ import annotations

import msgspec
from canon.errors import ValidationError
from canon.ids import deterministic_id

from inventory.application.ports import Clock, UnitOfWork
from inventory.application.use_cases.recording import record_movement
from inventory.domain.movements import ReservationReleased
from inventory.domain.reservation import Reservation


class ReleaseReservationCmd(msgspec.Struct, frozen=True, kw_only=True):
    reservation_id: str
    source_system: str = "inventory"


class ReleaseReservation:
    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, cmd: ReleaseReservationCmd) -> Reservation:
        async with self._uow as uow:
            reservation = await uow.reservations.get(cmd.reservation_id)
            if reservation is None:
                raise ValidationError("reservation_id", f"unknown reservation {cmd.reservation_id!r}")
            movement = ReservationReleased(
                idempotency_key=deterministic_id("inventory", "reservation_released", cmd.reservation_id),
                source_system=cmd.source_system,
                occurred_at=self._clock.now(),
                sku=reservation.sku,
                node=reservation.node,
                reservation_id=cmd.reservation_id,
            )
            recorded = await record_movement(uow, movement)
            await uow.commit()
        return recorded.reservation or reservation
