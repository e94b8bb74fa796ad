"""The order ledger's PostgreSQL adapters on a real database: migrations, posting, duplicates, races."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime

import asyncpg
import msgspec
import pytest
from canon.ledger import JournalEntry
from canon.money import Money
from canon.sales import (
    TRANSACTION_RECORDED,
    SalesLine,
    SalesTransaction,
    TaxLine,
    Tender,
    TransactionRecorded,
)
from order_ledger.adapters.postgres.queries import LedgerQueries
from order_ledger.adapters.postgres.unit_of_work import PostgresUnitOfWork
from order_ledger.application import events
from order_ledger.application.use_cases.record_transactions import RecordTransactions, Submission
from order_ledger.bootstrap import MIGRATIONS
from retail_platform.database import create_engine, downgrade_migrations, run_migrations, session_factory
from retail_platform.dburl import libpq_url
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

pytestmark = pytest.mark.integration
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


async def tables(database_url: str) -> set[str]:
    connection = await asyncpg.connect(libpq_url(database_url))
    try:
        rows = await connection.fetch("select tablename from pg_tables where schemaname = 'public'")
    finally:
        await connection.close()
    return {row["tablename"] for row in rows} - {"alembic_version"}


async def test_upgrade_downgrade_upgrade(database_url: str) -> None:
    await run_migrations(database_url, MIGRATIONS)
    created = await tables(database_url)
    assert {
        "sales_transactions",
        "journal_entries",
        "journal_lines",
        "export_batches",
        "outbox",
        "inbox",
        "master_replica",
        "api_keys",
        "promotion_versions",
        "posting_rules",
        "rejected_transactions",
    } <= created
    await downgrade_migrations(database_url, MIGRATIONS, "base")
    assert await tables(database_url) == set()
    await run_migrations(database_url, MIGRATIONS)
    assert await tables(database_url) == created


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    await run_migrations(database_url, MIGRATIONS)
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


def sale(document: str, cents: int = 1070) -> SalesTransaction:
    usd = lambda minor: Money(minor, "USD")  # noqa: E731
    line = SalesLine(
        line_id="1",
        sku="LAMP",
        quantity=1,
        unit_price=usd(cents - 70),
        taxes=[TaxLine(jurisdiction="US-NY", amount=usd(70))],
    )
    tender = Tender(
        tender_id="1",
        kind="card",
        amount=usd(cents),
        processor="adyen",
        processor_reference=f"psp-{document}",
    )
    return SalesTransaction(
        source_system="web",
        document_id=document,
        kind="sale",
        order_id=f"O-{document}",
        channel_id="web",
        node_id="DC1",
        legal_entity_id="US01",
        currency="USD",
        business_date=date(2026, 11, 27),
        occurred_at=NOW,
        lines=[line],
        tenders=[tender],
    )


async def counts(engine: AsyncEngine) -> tuple[int, int, int, int]:
    async with engine.connect() as connection:
        values = []
        for table in ("sales_transactions", "journal_entries", "journal_lines", "outbox"):
            values.append((await connection.execute(text(f"select count(*) from {table}"))).scalar_one())
    return tuple(values)  # type: ignore[return-value]


async def test_posts_once_and_reports_duplicates(engine: AsyncEngine) -> None:
    sessions = session_factory(engine)
    record = RecordTransactions(lambda: PostgresUnitOfWork(sessions), clock=lambda: NOW)
    first = await record(
        [Submission(1, sale("A")), Submission(2, sale("B")), Submission(3, sale("A"))], received_via="test"
    )
    assert [o.status for o in first.outcomes] == ["posted", "posted", "duplicate"]
    again = await record([Submission(1, sale("B")), Submission(2, sale("A"))], received_via="test")
    assert [o.status for o in again.outcomes] == ["duplicate", "duplicate"]
    assert await counts(engine) == (2, 2, 6, 4)  # 3 lines per entry; recorded + posted events per sale
    trace = await LedgerQueries(sessions).trace("O-A")
    assert trace is not None
    [entry] = trace.entries
    assert [(x.role, x.side, x.amount.amount_minor, x.processor_reference) for x in entry.lines] == [
        ("revenue", "credit", 1000, None),
        ("tax_payable", "credit", 70, None),
        ("tender_clearing", "debit", 1070, "psp-A"),
    ]
    assert trace.transactions[0].transaction == sale("A")
    await outbox_rows_are_the_envelopes_events_build(engine, sale("A"), entry)


async def outbox_rows_are_the_envelopes_events_build(
    engine: AsyncEngine, tx: SalesTransaction, entry: JournalEntry
) -> None:
    """The hot path writes headers from OutgoingEvents: they are what the Envelope would give (the
    entry's payload is compared in the unit tests: read back, its dimensions come in jsonb's order)."""
    async with engine.connect() as connection:
        rows = (
            await connection.execute(text("select event_id, subject, headers::text, payload from outbox"))
        ).all()
    stored = {row[0]: (row[1], msgspec.json.decode(row[2]), bytes(row[3])) for row in rows}
    recorded = events.recorded_event(tx, events.encode_transaction(tx), NOW).envelope()
    payload = TRANSACTION_RECORDED.encode(TransactionRecorded(transaction=tx, recorded_at=NOW))
    assert stored[recorded.id] == (recorded.type, recorded.to_headers(), payload)
    posted, _ = events.entry_posted(entry)
    assert stored[posted.id][:2] == (posted.type, posted.to_headers())


async def test_concurrent_batches_with_the_same_documents_post_each_once(engine: AsyncEngine) -> None:
    sessions = session_factory(engine)
    record = RecordTransactions(lambda: PostgresUnitOfWork(sessions), clock=lambda: NOW)
    batch = [Submission(n, sale(f"D{n}")) for n in range(1, 21)]
    results = await asyncio.gather(
        *(record(batch, received_via="test") for _ in range(4)), return_exceptions=True
    )
    posted = sum(r.posted for r in results if not isinstance(r, BaseException))
    assert posted == 20
    assert await counts(engine) == (20, 20, 60, 40)


async def test_a_return_is_priced_from_its_original_read_back_from_the_database(engine: AsyncEngine) -> None:
    sessions = session_factory(engine)
    record = RecordTransactions(lambda: PostgresUnitOfWork(sessions), clock=lambda: NOW)
    original = sale("S-1")
    await record([Submission(1, original)], received_via="test")
    line = msgspec.structs.replace(
        original.lines[0], line_id="r1", returned=True, original_line_id="1", taxes=[]
    )
    refund = msgspec.structs.replace(
        original.tenders[0], amount=Money(1070, "USD"), refund=True, processor_reference="psp-R-1"
    )
    back = msgspec.structs.replace(
        original, document_id="R-1", kind="return", lines=[line], tenders=[refund], original_document_id="S-1"
    )
    result = await record([Submission(1, back)], received_via="test")
    assert [o.status for o in result.outcomes] == ["posted"], result.outcomes
    trace = await LedgerQueries(sessions).trace("O-S-1")
    assert trace is not None
    priced = trace.transactions[1].transaction
    assert [(t.jurisdiction, t.amount.amount_minor) for t in priced.lines[0].taxes] == [("US-NY", 70)]
