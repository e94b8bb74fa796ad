"""PostgreSQL adapters of the Transactions, Journal and Rejections ports.

Hot paths use the session's own asyncpg connection (same transaction), set-based, one round-trip
each: revisions held by an unnest join on (source, document); transactions by binary COPY into a
staging table then INSERT ... SELECT ... ON CONFLICT (which tells duplicates apart); journal rows by
COPY.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from typing import Any

import msgspec
from canon.ledger import JournalEntry
from canon.money import Money
from canon.sales import SalesTransaction
from sqlalchemy import select, text, tuple_, update
from sqlalchemy.dialects.postgresql import insert
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
    shipment_costs,
)
from order_ledger.application.ports import DocumentKey, NewTransaction, Rejection, ShipmentCost

_TRANSACTION_COLUMNS = (
    "source_system",
    "document_id",
    "revision",
    "order_id",
    "kind",
    "legal_entity_id",
    "channel_id",
    "node_id",
    "currency",
    "business_date",
    "occurred_at",
    "original_document_id",
    "entry_id",
    "flags",
    "received_via",
    "payload",
)
_STAGING = "sales_transactions_staging"
# Per connection, emptied at every commit; `IF NOT EXISTS` because a rolled-back batch drops it again.
_CREATE_STAGING = (
    f"CREATE TEMP TABLE IF NOT EXISTS {_STAGING} "
    f"(LIKE sales_transactions INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
)
_FROM_STAGING = f"""
WITH staged AS (DELETE FROM {_STAGING} RETURNING {", ".join(_TRANSACTION_COLUMNS)})
INSERT INTO sales_transactions ({", ".join(_TRANSACTION_COLUMNS)})
SELECT {", ".join(_TRANSACTION_COLUMNS)} FROM staged
ON CONFLICT DO NOTHING
RETURNING source_system, document_id, revision
"""


_CURRENT_REVISIONS = """
SELECT t.source_system, t.document_id, max(t.revision)
FROM sales_transactions t
JOIN unnest($1::text[], $2::text[]) AS k(s, d) ON t.source_system = k.s AND t.document_id = k.d
GROUP BY t.source_system, t.document_id
"""
_BY_DOCUMENTS = """
SELECT payload::text FROM sales_transactions
WHERE document_id = ANY($1::text[]) AND NOT superseded ORDER BY recorded_at
"""
_RETURNS_OF = """
SELECT payload::text FROM sales_transactions
WHERE original_document_id = ANY($1::text[]) AND NOT superseded ORDER BY recorded_at
"""
_RAW_KEY = "order_ledger.raw_connection"


async def raw_connection(session: AsyncSession) -> Any:
    """The asyncpg connection under the session, inside its open transaction.

    Remembered per session transaction, so a batch pays the driver round-trip that opens the
    driver-level transaction once, not once per bulk statement."""
    transaction = session.get_transaction()
    cached = session.info.get(_RAW_KEY)
    if cached is not None and transaction is not None and cached[0] is transaction:
        return cached[1]
    connection = await session.connection()
    await connection.execute(text("SELECT 1"))  # makes sure the driver-level transaction has begun
    raw = (await connection.get_raw_connection()).driver_connection
    session.info[_RAW_KEY] = (session.get_transaction(), raw)
    return raw


class PostgresTransactions:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def current_revisions(self, keys: Collection[DocumentKey]) -> dict[DocumentKey, int]:
        """One set-based round-trip over the (source, document) keys (unnest join, not an IN list)."""
        if not keys:
            return {}
        sources, documents = [k[0] for k in keys], [k[1] for k in keys]
        connection = await raw_connection(self._session)
        rows = await connection.fetch(_CURRENT_REVISIONS, sources, documents)
        return {(row[0], row[1]): row[2] for row in rows}

    async def by_documents(self, document_ids: Collection[str]) -> dict[str, SalesTransaction]:
        if not document_ids:
            return {}
        connection = await raw_connection(self._session)
        rows = await connection.fetch(_BY_DOCUMENTS, list(document_ids))
        return {tx.document_id: tx for tx in (decode_transaction(row[0]) for row in rows)}

    async def returns_of(self, document_ids: Collection[str]) -> dict[str, list[SalesTransaction]]:
        if not document_ids:
            return {}
        connection = await raw_connection(self._session)
        found: dict[str, list[SalesTransaction]] = defaultdict(list)
        for row in await connection.fetch(_RETURNS_OF, list(document_ids)):
            tx = decode_transaction(row[0])
            found[tx.original_document_id or ""].append(tx)
        return dict(found)

    async def add(self, records: list[NewTransaction]) -> set[tuple[str, str, int]]:
        """Binary COPY into a per-connection staging table, then one INSERT ... SELECT whose
        ON CONFLICT tells the documents a concurrent writer recorded first apart (not returned)."""
        rows = [
            (
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
                record.payload.decode(),
            )
            for record in records
            for tx in (record.transaction,)
        ]
        connection = await raw_connection(self._session)
        await connection.execute(_CREATE_STAGING)
        await connection.copy_records_to_table(_STAGING, records=rows, columns=_TRANSACTION_COLUMNS)
        inserted = await connection.fetch(_FROM_STAGING)
        return {(row[0], row[1], row[2]) for row in inserted}

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


class PostgresShipmentCosts:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, cost: ShipmentCost) -> None:
        statement = insert(shipment_costs).values(
            movement_id=cost.movement_id,
            order_id=cost.order_id,
            sku=cost.sku,
            legal_entity_id=cost.legal_entity_id,
            qty=cost.qty,
            unit_cost_minor=cost.unit_cost.amount_minor,
            currency=cost.unit_cost.currency,
        )
        await self._session.execute(statement.on_conflict_do_nothing())

    async def of_order(self, order_id: str, sku: str) -> list[ShipmentCost]:
        query = (
            select(shipment_costs)
            .where(shipment_costs.c.order_id == order_id, shipment_costs.c.sku == sku)
            .order_by(shipment_costs.c.movement_id)
        )
        return [
            ShipmentCost(
                movement_id=row.movement_id,
                order_id=row.order_id,
                sku=row.sku,
                legal_entity_id=row.legal_entity_id,
                qty=row.qty,
                unit_cost=Money(row.unit_cost_minor, row.currency),
            )
            for row in (await self._session.execute(query)).all()
        ]
