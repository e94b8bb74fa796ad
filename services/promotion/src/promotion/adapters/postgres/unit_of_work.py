"""SQLAlchemy unit of work: one transaction for promotions, deployments, coupons and their events.

``SessionUnitOfWork`` wraps a session someone else owns (a consumer's inbox transaction): its
commit is left to that owner.
"""

from __future__ import annotations

from types import TracebackType

from canon.envelope import Envelope
from messaging.outbox import add_to_outbox
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from promotion.adapters.postgres.coupons import PostgresCoupons
from promotion.adapters.postgres.deployments import PostgresDeployments
from promotion.adapters.postgres.master import ReplicaMasterData
from promotion.adapters.postgres.promotions import PostgresPromotions


class SessionOutbox:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, envelope: Envelope, payload: bytes) -> None:
        await add_to_outbox(self._session, envelope, payload)


class SessionUnitOfWork:
    def __init__(self, session: AsyncSession) -> None:
        self._bind(session)

    def _bind(self, session: AsyncSession) -> None:
        self._session = session
        self.promotions = PostgresPromotions(session)
        self.deployments = PostgresDeployments(session)
        self.coupons = PostgresCoupons(session)
        self.master = ReplicaMasterData(session)
        self.outbox = SessionOutbox(session)

    async def __aenter__(self) -> SessionUnitOfWork:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None

    async def commit(self) -> None:
        await self._session.flush()


class PostgresUnitOfWork(SessionUnitOfWork):
    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._session_factory = session_factory

    async def __aenter__(self) -> PostgresUnitOfWork:
        session = self._session_factory()
        await session.begin()
        self._bind(session)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self._session.rollback()
        await self._session.close()

    async def commit(self) -> None:
        await self._session.commit()
