"""Ports of the inventory service: small Protocols the use cases need, each with its contract.

Every repository belongs to one UnitOfWork: reads see that transaction, writes persist only on
``commit()``. A PostgreSQL adapter locks rows it reads with ``for_update=True`` (or uses
conditional updates) so concurrent reservations on one hot sku never oversell.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from types import TracebackType
from typing import Protocol

from canon.inventory import InventoryEvent
from canon.master.network import Node
from canon.money import Money

from inventory.domain.drift import Drift
from inventory.domain.movements import Movement
from inventory.domain.position import Position, PositionKey
from inventory.domain.reservation import Reservation
from inventory.domain.safety_stock import SafetyStockChange


class Positions(Protocol):
    """Current positions per (sku, node); a missing one means nothing has happened there yet."""

    async def get(self, key: PositionKey, *, for_update: bool = False) -> Position | None: ...

    async def get_many(
        self, keys: Iterable[PositionKey], *, for_update: bool = False
    ) -> dict[PositionKey, Position]:
        """Only the keys that exist; with ``for_update`` every key is returned (an empty position
        for a new one, created so there is a row to lock: two first movements at a new position
        wait for each other instead of overwriting each other) and rows are locked in sorted key
        order (no deadlock between two transfers touching the same pair of nodes)."""
        ...

    async def save(self, position: Position) -> None:
        """Insert or replace the position at ``position.key``."""
        ...

    async def save_many(self, positions: Iterable[Position]) -> None:
        """``save`` for each, in one round trip where the store allows."""
        ...


class MovementLog(Protocol):
    """Accepted movements, keyed by idempotency key: the source of truth positions are folded from."""

    async def append(self, movement: Movement) -> bool:
        """Record it; False (and nothing written) if its idempotency key is already recorded."""
        ...

    async def append_many(self, movements: Sequence[Movement]) -> None:
        """Record them in this order; ConcurrentChangeError (roll back and retry) if any key was
        recorded meanwhile by another transaction (callers check ``recorded`` first)."""
        ...

    async def recorded(self, idempotency_keys: Iterable[str]) -> set[str]:
        """The keys among ``idempotency_keys`` that are already recorded."""
        ...

    async def list_for(self, key: PositionKey, up_to: datetime | None = None) -> list[Movement]:
        """Every movement changing ``key`` (transfers by either node) occurring at or before
        ``up_to`` (None: all), in the order they were recorded (a sequence column): the fold
        sorts by occurred-at and keeps that order for ties."""
        ...


class Reservations(Protocol):
    """Reservations by id, in any state (a known id makes a replayed reservation a no-op)."""

    async def get(self, reservation_id: str, *, for_update: bool = False) -> Reservation | None: ...

    async def get_many(
        self, reservation_ids: Iterable[str], *, for_update: bool = False
    ) -> dict[str, Reservation]:
        """Only the ids that exist (locked in sorted id order with ``for_update``)."""
        ...

    async def save(self, reservation: Reservation) -> None: ...

    async def save_many(self, reservations: Iterable[Reservation]) -> None: ...

    async def due(self, now: datetime, limit: int) -> list[Reservation]:
        """Up to ``limit`` open reservations with ``expires_at <= now``, earliest expiry first."""
        ...


class Drifts(Protocol):
    """Balancing results, one per snapshot line (source, sku, node, as_of)."""

    async def add(self, drift: Drift) -> bool:
        """Record it; False (nothing written) if that snapshot line was already balanced."""
        ...

    async def between(self, start: datetime, end: datetime) -> list[Drift]:
        """Drifts of snapshots with ``start <= as_of < end`` (for drift rate by node)."""
        ...


class SafetyStockChanges(Protocol):
    """The audit trail of safety stock settings (who changed what, when and why)."""

    async def add(self, change: SafetyStockChange) -> None: ...

    async def of_position(self, key: PositionKey) -> list[SafetyStockChange]:
        """Oldest first."""
        ...


class Outbox(Protocol):
    """Events to publish, written in the same transaction as the state they describe (in the
    order added)."""

    async def add(self, event: InventoryEvent) -> None: ...

    @property
    def records_movements(self) -> bool:
        """Whether MovementRecorded (one audit event per movement) is written; when it is not,
        callers need not build it."""
        ...


class ItemCosts(Protocol):
    """Item cost from the master-data read model (ERP is the system of record for cost)."""

    async def unit_cost(self, sku: str, node: str, at: datetime) -> Money | None:
        """The cost of one unit at ``node`` (item cost is per legal entity, the node's) valid at
        ``at``; None if the item has no cost there yet."""
        ...


class References(Protocol):
    """Which skus and nodes master data knows (the read model may lag master data a little)."""

    async def unknown_items(self, skus: Iterable[str]) -> set[str]: ...

    async def unknown_nodes(self, nodes: Iterable[str]) -> set[str]: ...


class Nodes(Protocol):
    """Nodes from the master-data read model."""

    async def serving(self, channel_id: str) -> list[Node]:
        """The nodes whose ``serves_channels`` includes the channel."""
        ...


class Clock(Protocol):
    def now(self) -> datetime:
        """The current UTC instant."""
        ...


class UnitOfWork(Protocol):
    """One transaction over the repositories; leaving the ``async with`` block without
    ``commit()`` rolls everything back. Re-enterable: each ``async with`` is a new transaction."""

    @property
    def positions(self) -> Positions: ...
    @property
    def movements(self) -> MovementLog: ...
    @property
    def reservations(self) -> Reservations: ...
    @property
    def drifts(self) -> Drifts: ...
    @property
    def safety_stock_changes(self) -> SafetyStockChanges: ...
    @property
    def outbox(self) -> Outbox: ...

    async def __aenter__(self) -> UnitOfWork: ...

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    async def commit(self) -> None: ...
