"""Read side: order trace, entries, rejections, export batches, posting rules."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from canon.ledger import JournalEntry
from canon.sales import SalesTransaction
from sqlalchemy import Text, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from order_ledger.adapters.postgres.codec import decode_transaction
from order_ledger.adapters.postgres.repositories import entries_by
from order_ledger.adapters.postgres.tables import (
    export_batches,
    journal_entries,
    posting_rules,
    rejected_transactions,
    sales_transactions,
)
from order_ledger.domain.default_rules import default_rules
from order_ledger.domain.rules import PostingRules


class TracedTransaction(msgspec.Struct, frozen=True, kw_only=True):
    transaction: SalesTransaction
    recorded_at: datetime
    received_via: str
    superseded: bool
    entry_id: str | None
    flags: list[str]


class OrderTrace(msgspec.Struct, frozen=True, kw_only=True):
    """Order -> transactions -> journal entries. Settlement matches and bank receipts are filled in
    from reconciliation's events once that context publishes them; until then they are empty."""

    order_id: str
    transactions: list[TracedTransaction]
    entries: list[JournalEntry]
    settlement_matches: list[dict[str, Any]] = []
    bank_receipts: list[dict[str, Any]] = []


class RejectionView(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    source_system: str | None
    document_id: str | None
    revision: int | None
    received_via: str
    errors: list[dict[str, str]]
    rejected_at: datetime


class ExportBatchView(msgspec.Struct, frozen=True, kw_only=True):
    batch_id: str
    created_at: datetime
    entry_count: int
    attempts: int
    last_sent_at: datetime | None
    last_error: str | None
    acknowledged_at: datetime | None
    erp_reference: str | None


class LedgerQueries:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._session_factory = session_factory

    async def trace(self, order_id: str) -> OrderTrace | None:
        columns = sales_transactions.c
        query = (
            select(
                columns.payload.cast(Text).label("payload_json"),
                columns.recorded_at,
                columns.received_via,
                columns.superseded,
                columns.entry_id,
                columns.flags,
            )
            .where(columns.order_id == order_id)
            .order_by(columns.recorded_at)
        )
        async with self._session_factory() as session:
            rows = (await session.execute(query)).all()
            entries = await entries_by(session, journal_entries.c.order_id == order_id)
        if not rows and not entries:
            return None
        transactions = [
            TracedTransaction(
                transaction=decode_transaction(row[0]),
                recorded_at=row.recorded_at,
                received_via=row.received_via,
                superseded=row.superseded,
                entry_id=row.entry_id,
                flags=list(row.flags),
            )
            for row in rows
        ]
        return OrderTrace(order_id=order_id, transactions=transactions, entries=entries)

    async def entry(self, entry_id: str) -> JournalEntry | None:
        async with self._session_factory() as session:
            found = await entries_by(session, journal_entries.c.entry_id == entry_id)
        return found[0] if found else None

    async def transaction(self, document_id: str) -> SalesTransaction | None:
        query = (
            select(sales_transactions.c.payload.cast(Text).label("payload_json"))
            .where(sales_transactions.c.document_id == document_id, ~sales_transactions.c.superseded)
            .limit(1)
        )
        async with self._session_factory() as session:
            found = (await session.execute(query)).scalar_one_or_none()
        return None if found is None else decode_transaction(found)

    async def rejections(self, limit: int) -> list[RejectionView]:
        query = select(rejected_transactions).order_by(rejected_transactions.c.id.desc()).limit(limit)
        async with self._session_factory() as session:
            rows = (await session.execute(query)).all()
        return [
            RejectionView(
                id=r.id,
                source_system=r.source_system,
                document_id=r.document_id,
                revision=r.revision,
                received_via=r.received_via,
                errors=r.errors,
                rejected_at=r.rejected_at,
            )
            for r in rows
        ]

    async def export_batch(self, batch_id: str) -> ExportBatchView | None:
        async with self._session_factory() as session:
            row = (
                await session.execute(select(export_batches).where(export_batches.c.batch_id == batch_id))
            ).first()
        if row is None:
            return None
        return ExportBatchView(
            batch_id=row.batch_id,
            created_at=row.created_at,
            entry_count=row.entry_count,
            attempts=row.attempts,
            last_sent_at=row.last_sent_at,
            last_error=row.last_error,
            acknowledged_at=row.acknowledged_at,
            erp_reference=row.erp_reference,
        )

    async def rules(self, chart_id: str) -> PostingRules:
        async with self._session_factory() as session:
            found = (
                await session.execute(
                    select(posting_rules.c.content).where(posting_rules.c.chart_id == chart_id)
                )
            ).scalar_one_or_none()
        return default_rules(chart_id) if found is None else msgspec.convert(found, PostingRules)

    async def put_rules(self, rules: PostingRules) -> None:
        content = msgspec.to_builtins(rules)
        statement = insert(posting_rules).values(chart_id=rules.chart_id, content=content)
        statement = statement.on_conflict_do_update(
            index_elements=[posting_rules.c.chart_id], set_={"content": content}
        )
        async with self._session_factory() as session, session.begin():
            await session.execute(statement)
