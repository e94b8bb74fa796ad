"""ExpireReservations: give back stock held by reservations whose TTL has run out.

Rules: only open reservations with ``expires_at <= now``; each expiry is its own transaction with a
key derived from the reservation id, so a rerun (or two runners) expires each reservation once.
"""

from __future__ import annotations

from inventory.application.ports import Clock, UnitOfWork
from inventory.application.use_cases.recording import record_movement
from inventory.domain.reservation import expire_due


class ExpireReservations:
    def __init__(self, uow: UnitOfWork, clock: Clock, batch_size: int = 500) -> None:
        self._uow = uow
        self._clock = clock
        self._batch_size = batch_size

    async def __call__(self) -> list[str]:
        """The ids of the reservations this run expired."""
        now = self._clock.now()
        async with self._uow as uow:
            due = await uow.reservations.due(now, self._batch_size)
        expired: list[str] = []
        for movement in expire_due(due, now, source_system="inventory"):
            async with self._uow as uow:
                recorded = await record_movement(uow, movement)
                await uow.commit()
            if recorded.reservation is not None and recorded.reservation.status == "expired":
                expired.append(movement.reservation_id)
        return expired
