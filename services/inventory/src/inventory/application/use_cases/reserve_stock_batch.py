"""ReserveStockBatch: many reservations in one transaction (what concurrent callers are grouped into).

Rules: as ReserveStock for each command, in the given order: each is accepted or refused on the
position as the earlier ones in the batch left it, so a batch never oversells either (the position
rows are locked for the whole transaction); a refused one does not stop the others. A transaction
that lost a race with another is run again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from canon.errors import ValidationError

from inventory.application.errors import ConcurrentChangeError
from inventory.application.ports import Clock, References, UnitOfWork
from inventory.application.use_cases.record_movements import reference_errors
from inventory.application.use_cases.recording_batch import MovementResult, record_batch
from inventory.application.use_cases.reserve_stock import ReserveStockCmd, reservation_movement
from inventory.domain.movements import ReservationCreated
from inventory.domain.reservation import Reservation


@dataclass(frozen=True)
class ReserveOutcome:
    """Exactly one of ``reservation`` and ``error``; ``replayed`` when the id was reserved before."""

    reservation: Reservation | None = None
    error: ValidationError | None = None
    replayed: bool = False


class ReserveStockBatch:
    def __init__(
        self, uow: UnitOfWork, clock: Clock, references: References | None = None, attempts: int = 3
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._references = references
        self._attempts = attempts

    async def __call__(self, cmds: Sequence[ReserveStockCmd]) -> list[ReserveOutcome]:
        now = self._clock.now()
        outcomes: dict[int, ReserveOutcome] = {}
        movements: list[tuple[int, ReservationCreated]] = []
        for index, cmd in enumerate(cmds):
            try:
                movements.append((index, reservation_movement(cmd, now)))
            except ValidationError as error:
                outcomes[index] = ReserveOutcome(error=error)
        if self._references is not None and movements:
            unknown = await reference_errors(self._references, [movement for _, movement in movements])
            for position, unknown_reference in unknown.items():
                outcomes[movements[position][0]] = ReserveOutcome(error=unknown_reference)
            movements = [entry for position, entry in enumerate(movements) if position not in unknown]
        if movements:
            results = await self._record([movement for _, movement in movements])
            for (index, movement), result in zip(movements, results, strict=True):
                outcomes[index] = _outcome(movement, result)
        return [outcomes[index] for index in range(len(cmds))]

    async def _record(self, movements: list[ReservationCreated]) -> list[MovementResult]:
        for attempt in range(1, self._attempts + 1):
            try:
                async with self._uow as uow:
                    results = await record_batch(uow, movements)
                    if any(result.status == "accepted" for result in results):
                        await uow.commit()
                return results
            except ConcurrentChangeError:
                if attempt == self._attempts:
                    raise
        raise AssertionError("unreachable")


def _outcome(movement: ReservationCreated, result: MovementResult) -> ReserveOutcome:
    if result.error is not None:
        return ReserveOutcome(error=result.error)
    if result.reservation is None:  # only if the log and reservations disagree
        error = ValidationError("reservation_id", f"reservation {movement.reservation_id!r} not found")
        return ReserveOutcome(error=error)
    return ReserveOutcome(reservation=result.reservation, replayed=result.status == "duplicate")
