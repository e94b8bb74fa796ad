"""PostgreSQL adapters of the Transactions, Journal and Rejections ports.

Bulk paths use the session's own asyncpg connection (same transaction): `INSERT ... SELECT unnest`
for transactions (ON CONFLICT tells duplicates apart) and COPY for journal rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from typing import Any

import msgspec
from canon.ledger import JournalEntry
from canon.sales import SalesTransaction
from sqlalchemy import Text, func, select, text, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from order_ledger.adapters.postgres.codec import (
    ENCODER,
    ENTRY_COLUMNS,
    LINE_COLUMNS,
    decode_transaction,
    entry_from_rows,
    entry_record,
    line_records,
)
from order_ledger.adapters.postgres.tables import (
    journal_entries,
    journal_lines,
    rejected_transactions,
    sales_transactions,
)
from order_ledger.application.ports import DocumentKey, NewTransaction, Rejection

_INSERT_TRANSACTIONS = """
INSERT INTO sales_transactions (source_system, document_id, revision, order_id, kind, legal_entity_id,
    channel_id, node_id, currency, business_date, occurred_at, original_document_id, entry_id, flags,
    received_via, payload)
SELECT s, d, r, o, k, le, ch, n, cur, bd, oc, od, e, f::jsonb, rv, p::jsonb
FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[],
    $8::text[], $9::text[], $10::date[], $11::timestamptz[], $12::text[], $13::text[], $14::text[],
    $15::text[], $16::text[])
    AS t(s, d, r, o, k, le, ch, n, cur, bd, oc, od, e, f, rv, p)
ON CONFLICT DO NOTHING
RETURNING source_system, document_id, revision
"""


_PAYLOAD_TEXT = sales_transactions.c.payload.cast(Text).label("payload_json")


async def raw_connection(session: AsyncSession) -> Any:
    """The asyncpg connection under the session, inside its open transaction."""
    connection = await session.connection()
    await connection.execute(text("SELECT 1"))  # makes sure the driver-level transaction has begun
    raw = await connection.get_raw_connection()
    return raw.driver_connection


class PostgresTransactions:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def current_revisions(self, keys: Collection[DocumentKey]) -> dict[DocumentKey, int]:
        if not keys:
            return {}
        query = (
            select(
                sales_transactions.c.source_system,
                sales_transactions.c.document_id,
                func.max(sales_transactions.c.revision),
            )
            .where(
                tuple_(sales_transactions.c.source_system, sales_transactions.c.document_id).in_(list(keys))
            )
            .group_by(sales_transactions.c.source_system, sales_transactions.c.document_id)
        )
        return {(row[0], row[1]): row[2] for row in (await self._session.execute(query)).all()}

    async def by_documents(self, document_ids: Collection[str]) -> dict[str, SalesTransaction]:
        query = (
            select(_PAYLOAD_TEXT)
            .where(sales_transactions.c.document_id.in_(list(document_ids)), ~sales_transactions.c.superseded)
            .order_by(sales_transactions.c.recorded_at)
        )
        rows = (await self._session.execute(query)).scalars().all()
        return {tx.document_id: tx for tx in (decode_transaction(row) for row in rows)}

    async def returns_of(self, document_ids: Collection[str]) -> dict[str, list[SalesTransaction]]:
        query = (
            select(sales_transactions.c.payload)
            .where(
                sales_transactions.c.original_document_id.in_(list(document_ids)),
                ~sales_transactions.c.superseded,
            )
            .order_by(sales_transactions.c.recorded_at)
        )
        found: dict[str, list[SalesTransaction]] = defaultdict(list)
        for row in (await self._session.execute(query)).scalars().all():
            tx = decode_transaction(row)
            found[tx.original_document_id or ""].append(tx)
        return dict(found)

    async def add(self, records: list[NewTransaction]) -> set[tuple[str, str, int]]:
        columns: list[list[Any]] = [[] for _ in range(16)]
        for record in records:
            tx = record.transaction
            values = (
                tx.source_system,
                tx.document_id,
                tx.revision,
                tx.order_id,
                tx.kind,
                tx.legal_entity_id,
                tx.channel_id,
                tx.node_id,
                tx.currency,
                tx.business_date,
                tx.occurred_at,
                tx.original_document_id,
                record.entry_id,
                ENCODER.encode(list(record.flags)).decode(),
                record.received_via,
                ENCODER.encode(tx).decode(),
            )
            for column, value in zip(columns, values, strict=True):
                column.append(value)
        connection = await raw_connection(self._session)
        rows = await connection.fetch(_INSERT_TRANSACTIONS, *columns)
        return {(row[0], row[1], row[2]) for row in rows}

    async def mark_superseded(self, keys: list[tuple[str, str, int]]) -> None:
        columns = (
            sales_transactions.c.source_system,
            sales_transactions.c.document_id,
            sales_transactions.c.revision,
        )
        await self._session.execute(
            update(sales_transactions).where(tuple_(*columns).in_(keys)).values(superseded=True)
        )

    async def legal_entity_of_order(self, order_id: str) -> tuple[str, str] | None:
        query = (
            select(sales_transactions.c.legal_entity_id, sales_transactions.c.channel_id)
            .where(sales_transactions.c.order_id == order_id)
            .order_by(sales_transactions.c.recorded_at)
            .limit(1)
        )
        row = (await self._session.execute(query)).first()
        return None if row is None else (row[0], row[1])


class PostgresJournal:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, entries: list[JournalEntry]) -> None:
        connection = await raw_connection(self._session)
        await connection.copy_records_to_table(
            "journal_entries", records=[entry_record(e) for e in entries], columns=ENTRY_COLUMNS
        )
        lines = [record for entry in entries for record in line_records(entry)]
        await connection.copy_records_to_table("journal_lines", records=lines, columns=LINE_COLUMNS)

    async def get(self, entry_id: str) -> JournalEntry | None:
        found = await entries_by(self._session, journal_entries.c.entry_id == entry_id)
        return found[0] if found else None

    async def exists(self, entry_id: str) -> bool:
        query = select(journal_entries.c.entry_id).where(journal_entries.c.entry_id == entry_id)
        return (await self._session.execute(query)).first() is not None


async def entries_by(session: AsyncSession, condition: Any, limit: int | None = None) -> list[JournalEntry]:
    query = (
        select(journal_entries)
        .where(condition)
        .order_by(journal_entries.c.posted_at, journal_entries.c.entry_id)
    )
    if limit is not None:
        query = query.limit(limit)
    headers = (await session.execute(query)).all()
    if not headers:
        return []
    ids = [header.entry_id for header in headers]
    lines = (await session.execute(select(journal_lines).where(journal_lines.c.entry_id.in_(ids)))).all()
    by_entry: dict[str, list[Any]] = defaultdict(list)
    for line in lines:
        by_entry[line.entry_id].append(line)
    return [entry_from_rows(header, by_entry[header.entry_id]) for header in headers]


class PostgresRejections:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, rejections: list[Rejection]) -> None:
        await self._session.execute(
            rejected_transactions.insert(),
            [
                {
                    "source_system": r.source_system,
                    "document_id": r.document_id,
                    "revision": r.revision,
                    "received_via": r.received_via,
                    "errors": msgspec.to_builtins(r.errors),
                }
                for r in rejections
            ],
        )
