"""PostgreSQL adapter of the Positions port: row locks in key order, rows created to be locked."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from inventory.adapters.postgres.driver import driver_connection
from inventory.adapters.postgres.tables import QUANTITIES
from inventory.domain.position import Position, PositionKey

_COLUMNS = ("sku", "node", *QUANTITIES, "as_of", "count_at_as_of")
_TYPES = ("text", "text", *("bigint" for _ in QUANTITIES), "timestamptz", "boolean")
_SELECT = """
SELECT p.* FROM positions p JOIN unnest($1::text[], $2::text[]) AS k(sku, node) USING (sku, node)
"""
_LOCK = _SELECT + " ORDER BY p.sku, p.node FOR UPDATE OF p"
_CREATE_EMPTY = """
INSERT INTO positions (sku, node) SELECT * FROM unnest($1::text[], $2::text[]) AS k(sku, node)
ORDER BY sku, node ON CONFLICT DO NOTHING RETURNING *
"""
_UPDATES = ", ".join(f"{column} = excluded.{column}" for column in _COLUMNS[2:])
_UPSERT = f"""
INSERT INTO positions ({", ".join(_COLUMNS)})
SELECT * FROM unnest({", ".join(f"${n}::{kind}[]" for n, kind in enumerate(_TYPES, start=1))})
ON CONFLICT (sku, node) DO UPDATE SET {_UPDATES}, updated_at = now()
"""


def to_position(row: Any) -> Position:
    """From a SQLAlchemy row or an asyncpg record."""
    return Position(
        sku=row["sku"],
        node=row["node"],
        on_hand=row["on_hand"],
        reserved=row["reserved"],
        allocated=row["allocated"],
        in_transit=row["in_transit"],
        damaged=row["damaged"],
        safety_stock=row["safety_stock"],
        as_of=row["as_of"],
        count_at_as_of=row["count_at_as_of"],
    )


def position_values(position: Position) -> dict[str, Any]:
    return {
        "sku": position.sku,
        "node": position.node,
        **dict(zip(QUANTITIES, position.quantities(), strict=True)),
        "as_of": position.as_of,
        "count_at_as_of": position.count_at_as_of,
    }


class PostgresPositions:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, key: PositionKey, *, for_update: bool = False) -> Position | None:
        return (await self.get_many([key], for_update=for_update)).get(key)

    async def get_many(
        self, keys: Iterable[PositionKey], *, for_update: bool = False
    ) -> dict[PositionKey, Position]:
        wanted = sorted(set(keys))
        if not wanted:
            return {}
        found = await self._select(wanted, for_update)
        if for_update and len(found) < len(wanted):
            # Created here, so locked by this transaction: the inserted rows come back at once; a
            # row another transaction inserted meanwhile is selected (and waited for) after.
            missing = [key for key in wanted if key not in found]
            connection = await driver_connection(self._session)
            for row in await connection.fetch(_CREATE_EMPTY, *_columns(missing)):
                found[PositionKey(row["sku"], row["node"])] = to_position(row)
            if len(found) < len(wanted):
                found.update(await self._select([key for key in wanted if key not in found], True))
        return found

    async def _select(self, keys: Sequence[PositionKey], for_update: bool) -> dict[PositionKey, Position]:
        connection = await driver_connection(self._session)
        rows = await connection.fetch(_LOCK if for_update else _SELECT, *_columns(keys))
        return {PositionKey(row["sku"], row["node"]): to_position(row) for row in rows}

    async def save(self, position: Position) -> None:
        await self.save_many([position])

    async def save_many(self, changed: Iterable[Position]) -> None:
        rows = [position_values(position) for position in changed]
        if rows:
            columns = [[row[name] for row in rows] for name in _COLUMNS]
            await (await driver_connection(self._session)).execute(_UPSERT, *columns)


def _columns(keys: Sequence[PositionKey]) -> tuple[list[str], list[str]]:
    return [key.sku for key in keys], [key.node for key in keys]
