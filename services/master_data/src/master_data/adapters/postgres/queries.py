"""Read side: lookups, pages and history of master-data records."""

from __future__ import annotations

from typing import Any

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from master_data.adapters.postgres.tables import master_record_versions, master_records


class RecordView(msgspec.Struct, frozen=True, kw_only=True):
    record_type: str
    key: str
    version: int
    changed_at: str
    record: dict[str, Any]


class RecordPage(msgspec.Struct, frozen=True, kw_only=True):
    items: list[RecordView]
    next_after: str | None
    """Pass as `after` to get the next page; null on the last page."""


def _view(row: Any) -> RecordView:
    return RecordView(
        record_type=row.record_type,
        key=row.key,
        version=row.version,
        changed_at=row.changed_at.isoformat(),
        record=row.content,
    )


class MasterRecordQueries:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._session_factory = session_factory

    async def get(self, record_type: str, key: str) -> RecordView | None:
        query = select(master_records).where(
            master_records.c.record_type == record_type, master_records.c.key == key
        )
        async with self._session_factory() as session:
            row = (await session.execute(query)).first()
        return None if row is None else _view(row)

    async def page(self, record_type: str, *, after: str | None, limit: int) -> RecordPage:
        query = select(master_records).where(master_records.c.record_type == record_type)
        if after is not None:
            query = query.where(master_records.c.key > after)
        query = query.order_by(master_records.c.key).limit(limit + 1)
        async with self._session_factory() as session:
            rows = (await session.execute(query)).all()
        items = [_view(row) for row in rows[:limit]]
        return RecordPage(items=items, next_after=items[-1].key if len(rows) > limit else None)

    async def history(self, record_type: str, key: str) -> list[RecordView]:
        query = (
            select(master_record_versions)
            .where(master_record_versions.c.record_type == record_type, master_record_versions.c.key == key)
            .order_by(master_record_versions.c.version)
        )
        async with self._session_factory() as session:
            rows = (await session.execute(query)).all()
        return [_view(row) for row in rows]
