"""In-memory repositories over plain dicts (the unit of work hands them a transaction's copy)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from canon.inventory import InventoryEvent

from inventory.application.errors import ConcurrentChangeError
from inventory.domain.drift import Drift
from inventory.domain.movements import Movement, affected_keys
from inventory.domain.position import Position, PositionKey
from inventory.domain.reservation import Reservation
from inventory.domain.safety_stock import SafetyStockChange

DriftKey = tuple[str, str, str, datetime]


class InMemoryPositions:
    def __init__(self, rows: dict[PositionKey, Position]) -> None:
        self.rows = rows

    async def get(self, key: PositionKey, *, for_update: bool = False) -> Position | None:
        return self.rows.get(key)

    async def get_many(
        self, keys: Iterable[PositionKey], *, for_update: bool = False
    ) -> dict[PositionKey, Position]:
        if for_update:  # as the PostgreSQL adapter: every key, a new one empty
            return {key: self.rows.get(key) or Position.empty(key) for key in sorted(set(keys))}
        return {key: self.rows[key] for key in sorted(set(keys)) if key in self.rows}

    async def save(self, position: Position) -> None:
        self.rows[position.key] = position

    async def save_many(self, positions: Iterable[Position]) -> None:
        for position in positions:
            self.rows[position.key] = position


class InMemoryMovementLog:
    """Keeps arrival order, so tests can replay exactly what live processing saw."""

    def __init__(self, rows: dict[str, Movement]) -> None:
        self.rows = rows

    async def append(self, movement: Movement) -> bool:
        if movement.idempotency_key in self.rows:
            return False
        self.rows[movement.idempotency_key] = movement
        return True

    async def append_many(self, movements: Sequence[Movement]) -> None:
        if any(movement.idempotency_key in self.rows for movement in movements):
            raise ConcurrentChangeError("a movement of the batch is recorded already")
        for movement in movements:
            self.rows[movement.idempotency_key] = movement

    async def recorded(self, idempotency_keys: Iterable[str]) -> set[str]:
        return {key for key in idempotency_keys if key in self.rows}

    async def list_for(self, key: PositionKey, up_to: datetime | None = None) -> list[Movement]:
        return [
            movement
            for movement in self.rows.values()
            if key in affected_keys(movement) and (up_to is None or movement.occurred_at <= up_to)
        ]


class InMemoryReservations:
    def __init__(self, rows: dict[str, Reservation]) -> None:
        self.rows = rows

    async def get(self, reservation_id: str, *, for_update: bool = False) -> Reservation | None:
        return self.rows.get(reservation_id)

    async def get_many(
        self, reservation_ids: Iterable[str], *, for_update: bool = False
    ) -> dict[str, Reservation]:
        return {rid: self.rows[rid] for rid in sorted(set(reservation_ids)) if rid in self.rows}

    async def save(self, reservation: Reservation) -> None:
        self.rows[reservation.reservation_id] = reservation

    async def save_many(self, reservations: Iterable[Reservation]) -> None:
        for reservation in reservations:
            self.rows[reservation.reservation_id] = reservation

    async def due(self, now: datetime, limit: int) -> list[Reservation]:
        due = [reservation for reservation in self.rows.values() if reservation.is_due(now)]
        return sorted(due, key=lambda r: (r.expires_at, r.reservation_id))[:limit]


class InMemoryDrifts:
    def __init__(self, rows: dict[DriftKey, Drift]) -> None:
        self.rows = rows

    async def add(self, drift: Drift) -> bool:
        key = (drift.source, drift.sku, drift.node, drift.as_of)
        if key in self.rows:
            return False
        self.rows[key] = drift
        return True

    async def between(self, start: datetime, end: datetime) -> list[Drift]:
        return [drift for drift in self.rows.values() if start <= drift.as_of < end]


class InMemoryOutbox:
    def __init__(self, rows: list[InventoryEvent]) -> None:
        self.rows = rows

    records_movements = True

    async def add(self, event: InventoryEvent) -> None:
        self.rows.append(event)


class InMemorySafetyStockChanges:
    def __init__(self, rows: list[SafetyStockChange]) -> None:
        self.rows = rows

    async def add(self, change: SafetyStockChange) -> None:
        self.rows.append(change)

    async def of_position(self, key: PositionKey) -> list[SafetyStockChange]:
        return [change for change in self.rows if (change.sku, change.node) == key]
