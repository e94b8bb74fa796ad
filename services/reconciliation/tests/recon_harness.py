"""A migrated database with the real adapters wired, for the integration tests (no HTTP, no NATS)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from canon.inventory import ReturnDisposed
from canon.ledger import JournalEntry
from canon.sales import SalesTransaction, TransactionRecorded
from reconciliation.adapters.nats.read_models import apply_disposition, apply_entry, apply_transaction
from reconciliation.adapters.postgres.engine import PostgresReconciler
from reconciliation.adapters.postgres.queries import ReconQueries
from reconciliation.adapters.postgres.unit_of_work import PostgresUnitOfWork
from reconciliation.application.use_cases.exception_workflow import ExceptionWorkflow
from reconciliation.application.use_cases.ingest_file import IngestFile
from reconciliation.bootstrap import MIGRATIONS
from reconciliation.domain.rules import Tolerances
from retail_platform.database import create_engine, run_migrations, session_factory
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker


@dataclass
class Harness:
    sessions: async_sessionmaker[AsyncSession]
    reconciler: PostgresReconciler
    ingest: IngestFile
    workflow: ExceptionWorkflow
    queries: ReconQueries
    tolerances: Tolerances

    async def post(self, *entries: JournalEntry) -> None:
        async with self.sessions() as session, session.begin():
            for entry in entries:
                await apply_entry(session, entry)

    async def record(self, *transactions: SalesTransaction) -> None:
        async with self.sessions() as session, session.begin():
            for tx in transactions:
                await apply_transaction(
                    session, TransactionRecorded(transaction=tx, recorded_at=tx.occurred_at)
                )

    async def dispose(self, *dispositions: ReturnDisposed) -> None:
        async with self.sessions() as session, session.begin():
            for disposition in dispositions:
                await apply_disposition(session, disposition)

    async def rows(self, sql: str, **params: Any) -> list[Any]:
        async with self.sessions() as session:
            return list((await session.execute(text(sql), params)).all())

    async def exceptions(self, entity: str = "LE-NL") -> list[tuple[str, str, int | None]]:
        rows = await self.rows(
            "SELECT exception_type, reference, amount_minor FROM recon_exceptions"
            " WHERE legal_entity_id = :e AND status <> 'resolved' ORDER BY 1, 2",
            e=entity,
        )
        return [(r.exception_type, r.reference, r.amount_minor) for r in rows]


@asynccontextmanager
async def harness(
    database_url: str, received_at: datetime | None = None, **tolerances: int
) -> AsyncIterator[Harness]:
    await run_migrations(database_url, MIGRATIONS)
    engine = create_engine(database_url)
    sessions = session_factory(engine)
    chosen = Tolerances(**tolerances)
    reconciler = PostgresReconciler(sessions, chosen)
    clock = (lambda: received_at) if received_at else (lambda: datetime(2026, 3, 5, 9, tzinfo=UTC))
    uow = lambda: PostgresUnitOfWork(sessions)  # noqa: E731
    try:
        yield Harness(
            sessions=sessions,
            reconciler=reconciler,
            ingest=IngestFile(uow, reconciler, clock=clock),
            workflow=ExceptionWorkflow(uow),
            queries=ReconQueries(sessions),
            tolerances=chosen,
        )
    finally:
        await engine.dispose()
