"""In-memory unit of work: each ``async with`` works on a copy that replaces the state on commit."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from types import TracebackType

from canon.inventory import InventoryEvent

from inventory.adapters.memory.repositories import (
    DriftKey,
    InMemoryDrifts,
    InMemoryMovementLog,
    InMemoryOutbox,
    InMemoryPositions,
    InMemoryReservations,
    InMemorySafetyStockChanges,
)
from inventory.domain.drift import Drift
from inventory.domain.movements import Movement
from inventory.domain.position import Position, PositionKey
from inventory.domain.reservation import Reservation
from inventory.domain.safety_stock import SafetyStockChange


@dataclass
class InMemoryState:
    positions: dict[PositionKey, Position] = field(default_factory=dict)
    movements: dict[str, Movement] = field(default_factory=dict)
    reservations: dict[str, Reservation] = field(default_factory=dict)
    drifts: dict[DriftKey, Drift] = field(default_factory=dict)
    outbox: list[InventoryEvent] = field(default_factory=list)
    safety_stock_changes: list[SafetyStockChange] = field(default_factory=list)

    def copy(self) -> InMemoryState:
        """Values are immutable structs, so copying the containers isolates a transaction."""
        return InMemoryState(
            dict(self.positions),
            dict(self.movements),
            dict(self.reservations),
            dict(self.drifts),
            list(self.outbox),
            list(self.safety_stock_changes),
        )


class InMemoryUnitOfWork:
    """``state`` is what is committed; ``commits`` counts commits, ``committed`` tells whether the
    last transaction committed."""

    def __init__(self, positions: Iterable[Position] = ()) -> None:
        self.state = InMemoryState(positions={position.key: position for position in positions})
        self.commits = 0
        self.committed = False
        self._begin()

    def _begin(self) -> None:
        self._working = self.state.copy()
        self.positions = InMemoryPositions(self._working.positions)
        self.movements = InMemoryMovementLog(self._working.movements)
        self.reservations = InMemoryReservations(self._working.reservations)
        self.drifts = InMemoryDrifts(self._working.drifts)
        self.outbox = InMemoryOutbox(self._working.outbox)
        self.safety_stock_changes = InMemorySafetyStockChanges(self._working.safety_stock_changes)

    async def __aenter__(self) -> InMemoryUnitOfWork:
        self._begin()
        self.committed = False
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._begin()  # whatever was not committed is gone

    async def commit(self) -> None:
        self.state = self._working.copy()
        self.commits += 1
        self.committed = True
