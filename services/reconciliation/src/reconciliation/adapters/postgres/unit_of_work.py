"""SQLAlchemy unit of work: one transaction for the files, the workflow and the outbox rows they cause."""

from __future__ import annotations

from types import TracebackType

from canon.envelope import Envelope
from messaging.outbox import add_to_outbox
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reconciliation.adapters.postgres.exception_cases import PostgresExceptionCases, PostgresVarianceOutbox
from reconciliation.adapters.postgres.files import PostgresFiles


class SessionOutbox:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, envelope: Envelope, payload: bytes) -> None:
        await add_to_outbox(self._session, envelope, payload)


class PostgresUnitOfWork:
    files: PostgresFiles
    exceptions: PostgresExceptionCases
    variances: PostgresVarianceOutbox
    outbox: SessionOutbox

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._session_factory = session_factory

    async def __aenter__(self) -> PostgresUnitOfWork:
        self._session = self._session_factory()
        await self._session.begin()
        self.files = PostgresFiles(self._session)
        self.exceptions = PostgresExceptionCases(self._session)
        self.variances = PostgresVarianceOutbox(self._session)
        self.outbox = SessionOutbox(self._session)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self._session.rollback()
        await self._session.close()

    async def commit(self) -> None:
        await self._session.commit()
