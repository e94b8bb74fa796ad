"""SQLAlchemy unit of work: one transaction for transactions, journal, rejections and outbox rows."""

from __future__ import annotations

from datetime import datetime
from types import TracebackType

from canon.envelope import Envelope, format_time
from messaging.publisher import event_subject
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from order_ledger.adapters.postgres.codec import ENCODER
from order_ledger.adapters.postgres.exports import PostgresExports
from order_ledger.adapters.postgres.reference import PostgresReference
from order_ledger.adapters.postgres.repositories import (
    PostgresJournal,
    PostgresRejections,
    PostgresShipmentCosts,
    PostgresTransactions,
    raw_connection,
)
from order_ledger.application.events import OutgoingEvent

_OUTBOX_COLUMNS = ("event_id", "subject", "headers", "payload")


class SessionOutbox:
    """Outbox rows written by COPY (ids are deterministic and new: the transaction rows are new)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add_many(self, events: list[tuple[Envelope, bytes]]) -> None:
        records = [
            (envelope.id, event_subject(envelope), ENCODER.encode(envelope.to_headers()).decode(), payload)
            for envelope, payload in events
        ]
        connection = await raw_connection(self._session)
        await connection.copy_records_to_table("outbox", records=records, columns=_OUTBOX_COLUMNS)

    async def add_events(self, events: list[OutgoingEvent]) -> None:
        """Headers straight from the events' fields, each distinct time formatted once."""
        times: dict[datetime, str] = {}
        records = []
        for event in events:
            time = times.get(event.time)
            if time is None:
                time = times[event.time] = format_time(event.time)
            headers = ENCODER.encode(event.headers(time)).decode()
            records.append((event.id, event.type, headers, event.payload))
        connection = await raw_connection(self._session)
        await connection.copy_records_to_table("outbox", records=records, columns=_OUTBOX_COLUMNS)


class SessionUnitOfWork:
    """The ports over one session; the caller owns the transaction (the NATS consumer batches)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.transactions = PostgresTransactions(session)
        self.journal = PostgresJournal(session)
        self.rejections = PostgresRejections(session)
        self.reference = PostgresReference(session)
        self.outbox = SessionOutbox(session)
        self.exports = PostgresExports(session)
        self.shipment_costs = PostgresShipmentCosts(session)

    async def __aenter__(self) -> SessionUnitOfWork:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None

    async def commit(self) -> None:
        """Committed by the owner of the session."""


class PostgresUnitOfWork(SessionUnitOfWork):
    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._session_factory = session_factory

    async def __aenter__(self) -> PostgresUnitOfWork:
        session = self._session_factory()
        await session.begin()
        SessionUnitOfWork.__init__(self, session)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.session.rollback()
        await self.session.close()

    async def commit(self) -> None:
        await self.session.commit()
