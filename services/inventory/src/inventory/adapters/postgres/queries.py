"""Read side: positions, availability over many skus and nodes, reservations and drifts.

Availability is the hot read (gRPC GetAvailability): one statement with array parameters, so its
plan is prepared once per connection whatever the number of skus and nodes asked for.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import asyncpg
from sqlalchemy import Text, any_, bindparam, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from inventory.adapters.postgres.positions import to_position
from inventory.adapters.postgres.reservations import to_drift, to_reservation
from inventory.adapters.postgres.tables import drifts, positions, reservations
from inventory.domain.drift import Drift
from inventory.domain.position import Position, PositionKey
from inventory.domain.reservation import Reservation

_AVAILABLE = select(positions).where(
    positions.c.sku == any_(bindparam("skus", type_=ARRAY(Text))),
    positions.c.node == any_(bindparam("nodes", type_=ARRAY(Text))),
)


# on hand, reserved, allocated, in transit, available to sell (never below zero)
Availability = tuple[int, int, int, int, int]
_AVAILABILITY_SQL = """
SELECT sku, node, on_hand, reserved, allocated, in_transit,
       greatest(on_hand - reserved - allocated - damaged - safety_stock, 0)
FROM positions WHERE sku = ANY($1::text[]) AND node = ANY($2::text[])
"""


class InventoryQueries:
    """``read_pool``: an asyncpg pool for the hot read (no pre-ping round trip per checkout, the
    statement prepared once per connection); without one the engine's pool is used."""

    def __init__(self, engine: AsyncEngine, read_pool: asyncpg.Pool | None = None) -> None:
        self._engine = engine
        self._read_pool = read_pool
        self._session_factory = async_sessionmaker(engine, expire_on_commit=False)

    async def availability(
        self, skus: Sequence[str], nodes: Sequence[str]
    ) -> dict[tuple[str, str], Availability]:
        """The hot read: plain tuples straight from the driver (no row objects, no validation)."""
        if self._read_pool is not None:
            rows = await self._read_pool.fetch(_AVAILABILITY_SQL, list(skus), list(nodes))
        else:
            async with self._engine.connect() as connection:
                raw = await connection.get_raw_connection()
                driver = raw.driver_connection
                rows = await driver.fetch(_AVAILABILITY_SQL, list(skus), list(nodes))  # type: ignore[union-attr]
        return {(row[0], row[1]): (row[2], row[3], row[4], row[5], row[6]) for row in rows}

    async def positions(self, skus: Sequence[str], nodes: Sequence[str]) -> dict[PositionKey, Position]:
        """The positions that exist among skus x nodes (a missing one holds nothing)."""
        async with self._session_factory() as session:
            rows = (await session.execute(_AVAILABLE, {"skus": list(skus), "nodes": list(nodes)})).all()
        return {PositionKey(row.sku, row.node): to_position(row._mapping) for row in rows}

    async def positions_of(self, sku: str) -> list[Position]:
        query = select(positions).where(positions.c.sku == sku).order_by(positions.c.node)
        async with self._session_factory() as session:
            rows = (await session.execute(query)).all()
        return [to_position(row._mapping) for row in rows if row.as_of is not None]

    async def reservation(self, reservation_id: str) -> Reservation | None:
        query = select(reservations).where(reservations.c.reservation_id == reservation_id)
        async with self._session_factory() as session:
            row = (await session.execute(query)).one_or_none()
        return None if row is None else to_reservation(row)

    async def drifts(self, start: datetime, end: datetime, node: str | None, limit: int) -> list[Drift]:
        query = select(drifts).where(drifts.c.as_of >= start, drifts.c.as_of < end)
        if node is not None:
            query = query.where(drifts.c.node == node)
        query = query.order_by(drifts.c.as_of, drifts.c.node, drifts.c.sku, drifts.c.source).limit(limit)
        async with self._session_factory() as session:
            rows = (await session.execute(query)).all()
        return [to_drift(row) for row in rows]
