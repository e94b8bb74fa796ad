"""In-memory adapters for every port: fakes for unit tests, honest to the port contracts."""

from inventory.adapters.memory.reference_data import (
    FixedClock,
    InMemoryItemCosts,
    InMemoryNodes,
    InMemoryReferences,
)
from inventory.adapters.memory.repositories import (
    InMemoryDrifts,
    InMemoryMovementLog,
    InMemoryOutbox,
    InMemoryPositions,
    InMemoryReservations,
    InMemorySafetyStockChanges,
)
from inventory.adapters.memory.unit_of_work import InMemoryState, InMemoryUnitOfWork

__all__ = [
    "FixedClock",
    "InMemoryDrifts",
    "InMemoryItemCosts",
    "InMemoryMovementLog",
    "InMemoryNodes",
    "InMemoryOutbox",
    "InMemoryPositions",
    "InMemoryReferences",
    "InMemoryReservations",
    "InMemorySafetyStockChanges",
    "InMemoryState",
    "InMemoryUnitOfWork",
]
