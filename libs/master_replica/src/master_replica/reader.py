"""Typed lookups in the local replica."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import msgspec
from canon.master_data import MASTER_RECORD_TYPES
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from master_replica.schema import master_replica


class MasterReplica:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, record_type: str, key: str) -> Any | None:
        found = await self.get_many(record_type, [key])
        return found.get(key)

    async def get_many(self, record_type: str, keys: Collection[str]) -> dict[str, Any]:
        query = select(master_replica.c.key, master_replica.c.content).where(
            master_replica.c.record_type == record_type, master_replica.c.key.in_(list(keys))
        )
        rows = (await self._session.execute(query)).all()
        return {row.key: msgspec.convert(row.content, MASTER_RECORD_TYPES[record_type]) for row in rows}

    async def all(self, record_type: str) -> list[Any]:
        query = (
            select(master_replica.c.content)
            .where(master_replica.c.record_type == record_type)
            .order_by(master_replica.c.key)
        )
        rows = (await self._session.execute(query)).all()
        return [msgspec.convert(row.content, MASTER_RECORD_TYPES[record_type]) for row in rows]

    async def version(self, record_type: str, key: str) -> int | None:
        query = select(master_replica.c.version).where(
            master_replica.c.record_type == record_type, master_replica.c.key == key
        )
        return (await self._session.execute(query)).scalar_one_or_none()
