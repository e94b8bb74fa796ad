"""PostgreSQL adapter of the MovementLog port: the movements table, in recorded order (seq)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import asyncpg
import msgspec
from sqlalchemy import and_, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from inventory.adapters.postgres.driver import driver_connection
from inventory.adapters.postgres.tables import movements
from inventory.application.errors import ConcurrentChangeError
from inventory.domain.movements import Movement, movement_type
from inventory.domain.position import PositionKey

_DECODER = msgspec.json.Decoder(Movement)
_ENCODER = msgspec.json.Encoder()
_RECORDED = "SELECT idempotency_key FROM movements WHERE idempotency_key = ANY($1::text[])"
_COLUMNS = (
    "idempotency_key", "movement_type", "source_system", "sku", "node", "destination_node",
    "occurred_at", "body",
)  # fmt: skip
_TYPES = ("text", "text", "text", "text", "text", "text", "timestamptz", "bytea")
# One round trip (COPY takes two), rows in the given order (seq follows it).
_APPEND_MANY = f"""
INSERT INTO movements ({", ".join(_COLUMNS)})
SELECT {", ".join(_COLUMNS)} FROM unnest({", ".join(f"${n}::{kind}[]" for n, kind in enumerate(_TYPES, 1))})
WITH ORDINALITY AS r({", ".join(_COLUMNS)}, position) ORDER BY position
"""


def movement_values(movement: Movement) -> dict[str, Any]:
    return {
        "idempotency_key": movement.idempotency_key,
        "movement_type": movement_type(movement),
        "source_system": movement.source_system,
        "sku": movement.sku,
        "node": movement.node,
        "destination_node": getattr(movement, "destination_node", None),
        "occurred_at": movement.occurred_at,
        "body": _ENCODER.encode(movement),
    }


def decode_stored(body: bytes) -> Movement:
    return _DECODER.decode(body)


class PostgresMovementLog:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def append(self, movement: Movement) -> bool:
        statement = (
            insert(movements)
            .values(movement_values(movement))
            .on_conflict_do_nothing(index_elements=[movements.c.idempotency_key])
            .returning(movements.c.seq)
        )
        return (await self._session.execute(statement)).scalar_one_or_none() is not None

    async def append_many(self, batch: Sequence[Movement]) -> None:
        """In the given order (seq follows it)."""
        if not batch:
            return
        connection = await driver_connection(self._session)
        records = [movement_values(m) for m in batch]
        columns = [[record[name] for record in records] for name in _COLUMNS]
        try:  # the transaction is spoiled by the error: the caller rolls back and runs it again
            await connection.execute(_APPEND_MANY, *columns)
        except asyncpg.UniqueViolationError as error:
            raise ConcurrentChangeError("a movement of the batch was recorded meanwhile") from error

    async def recorded(self, idempotency_keys: Iterable[str]) -> set[str]:
        keys = list(set(idempotency_keys))
        if not keys:
            return set()
        connection = await driver_connection(self._session)
        rows = await connection.fetch(_RECORDED, keys)
        return {row[0] for row in rows}

    async def list_for(self, key: PositionKey, up_to: datetime | None = None) -> list[Movement]:
        at_node = and_(movements.c.sku == key.sku, movements.c.node == key.node)
        arriving = and_(movements.c.sku == key.sku, movements.c.destination_node == key.node)
        query = select(movements.c.body).where(or_(at_node, arriving)).order_by(movements.c.seq)
        if up_to is not None:
            query = query.where(movements.c.occurred_at <= up_to)
        return [decode_stored(body) for body in (await self._session.execute(query)).scalars()]
