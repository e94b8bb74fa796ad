"""PostgreSQL adapter of the MasterRecords port."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import msgspec
from canon.master_data import MASTER_RECORD_TYPES
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from master_data.adapters.postgres.tables import master_record_versions, master_records
from master_data.application.ports import ConcurrentChangeError
from master_data.domain.record import StoredRecord


def to_stored(row: Any) -> StoredRecord:
    record = msgspec.convert(row.content, MASTER_RECORD_TYPES[row.record_type])
    return StoredRecord(row.record_type, row.key, row.version, record, row.content_hash, row.changed_at)


class PostgresRecords:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get_many(self, record_type: str, keys: Collection[str]) -> dict[str, StoredRecord]:
        if not keys:
            return {}
        query = (
            select(master_records)
            .where(master_records.c.record_type == record_type, master_records.c.key.in_(list(keys)))
            .with_for_update()
        )
        rows = (await self._session.execute(query)).all()
        return {row.key: to_stored(row) for row in rows}

    async def save(self, stored: StoredRecord, *, source: str, correlation_id: str | None) -> None:
        content = msgspec.to_builtins(stored.record)
        values = {
            "record_type": stored.record_type,
            "key": stored.key,
            "version": stored.version,
            "content": content,
            "content_hash": stored.content_hash,
            "changed_at": stored.changed_at,
        }
        try:
            async with self._session.begin_nested():
                if stored.version == 1:
                    await self._session.execute(master_records.insert().values(**values))
                else:
                    changed = await self._session.execute(
                        update(master_records)
                        .where(
                            master_records.c.record_type == stored.record_type,
                            master_records.c.key == stored.key,
                            master_records.c.version == stored.version - 1,
                        )
                        .values(**values)
                    )
                    if changed.rowcount != 1:  # type: ignore[attr-defined]
                        raise ConcurrentChangeError(f"{stored.record_type} {stored.key} changed meanwhile")
                await self._session.execute(
                    master_record_versions.insert().values(
                        **values, source=source, correlation_id=correlation_id
                    )
                )
        except IntegrityError as error:
            raise ConcurrentChangeError(f"{stored.record_type} {stored.key} created meanwhile") from error
