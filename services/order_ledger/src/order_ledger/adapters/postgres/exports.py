"""PostgreSQL adapter of the Exports port (ERP journal batches)."""

from __future__ import annotations

from datetime import datetime, timedelta

from canon.ledger import JournalEntry
from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from order_ledger.adapters.postgres.repositories import entries_by
from order_ledger.adapters.postgres.tables import export_batches, journal_entries
from order_ledger.application.ports import StoredBatch
from order_ledger.domain.erp_export import ErpAck


class PostgresExports:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def unexported_entries(self, limit: int) -> list[JournalEntry]:
        return await entries_by(self._session, journal_entries.c.export_batch_id.is_(None), limit=limit)

    async def create(
        self, batch_id: str, entry_ids: list[str], json_document: bytes, csv_document: bytes
    ) -> None:
        await self._session.execute(
            export_batches.insert().values(
                batch_id=batch_id,
                entry_count=len(entry_ids),
                json_document=json_document,
                csv_document=csv_document,
            )
        )
        await self._session.execute(
            update(journal_entries)
            .where(journal_entries.c.entry_id.in_(entry_ids))
            .values(export_batch_id=batch_id)
        )

    async def due(self, now: datetime, resend_after_s: float) -> list[StoredBatch]:
        query = (
            select(export_batches)
            .where(
                export_batches.c.acknowledged_at.is_(None),
                or_(
                    export_batches.c.last_sent_at.is_(None),
                    export_batches.c.last_sent_at <= now - timedelta(seconds=resend_after_s),
                ),
            )
            .order_by(export_batches.c.created_at, export_batches.c.batch_id)
        )
        rows = (await self._session.execute(query)).all()
        return [StoredBatch(r.batch_id, r.json_document, r.csv_document, r.attempts, False) for r in rows]

    async def record_attempt(self, batch_id: str, at: datetime, error: str | None) -> None:
        await self._session.execute(
            update(export_batches)
            .where(export_batches.c.batch_id == batch_id)
            .values(attempts=export_batches.c.attempts + 1, last_sent_at=at, last_error=error)
        )

    async def acknowledge(self, ack: ErpAck, at: datetime) -> bool:
        result = await self._session.execute(
            update(export_batches)
            .where(export_batches.c.batch_id == ack.batch_id)
            .values(acknowledged_at=at, erp_reference=ack.reference, ack_message=ack.message)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]
