"""SQLAlchemy unit of work: one transaction for positions, movements, reservations, drifts and the
outbox rows they cause.

One instance may be shared by concurrent tasks (requests, consumers, the reservation batcher):
each ``async with`` opens its own session, kept per task in a context variable, and the
repositories below are those of the innermost transaction of the calling task.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field
from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from inventory.adapters.postgres.movement_log import PostgresMovementLog
from inventory.adapters.postgres.outbox import BufferedOutbox
from inventory.adapters.postgres.positions import PostgresPositions
from inventory.adapters.postgres.reservations import (
    PostgresDrifts,
    PostgresReservations,
    PostgresSafetyStockChanges,
)


@dataclass
class _Transaction:
    session: AsyncSession
    outbox: BufferedOutbox
    positions: PostgresPositions = field(init=False)
    movements: PostgresMovementLog = field(init=False)
    reservations: PostgresReservations = field(init=False)
    drifts: PostgresDrifts = field(init=False)
    safety_stock_changes: PostgresSafetyStockChanges = field(init=False)

    def __post_init__(self) -> None:
        self.positions = PostgresPositions(self.session)
        self.movements = PostgresMovementLog(self.session)
        self.reservations = PostgresReservations(self.session)
        self.drifts = PostgresDrifts(self.session)
        self.safety_stock_changes = PostgresSafetyStockChanges(self.session)


class PostgresUnitOfWork:
    """``publish_movements``: see BufferedOutbox."""

    def __init__(
        self, session_factory: async_sessionmaker[AsyncSession], *, publish_movements: bool = True
    ) -> None:
        self._session_factory = session_factory
        self._publish_movements = publish_movements
        self._open: ContextVar[tuple[_Transaction, ...]] = ContextVar(f"inventory_uow_{id(self)}", default=())

    @property
    def _current(self) -> _Transaction:
        open_transactions = self._open.get()
        if not open_transactions:
            raise RuntimeError("no transaction: use `async with unit_of_work:` first")
        return open_transactions[-1]

    @property
    def session(self) -> AsyncSession:
        """The open transaction's session, for adapters writing in the same transaction (inbox)."""
        return self._current.session

    @property
    def positions(self) -> PostgresPositions:
        return self._current.positions

    @property
    def movements(self) -> PostgresMovementLog:
        return self._current.movements

    @property
    def reservations(self) -> PostgresReservations:
        return self._current.reservations

    @property
    def drifts(self) -> PostgresDrifts:
        return self._current.drifts

    @property
    def safety_stock_changes(self) -> PostgresSafetyStockChanges:
        return self._current.safety_stock_changes

    @property
    def outbox(self) -> BufferedOutbox:
        return self._current.outbox

    async def __aenter__(self) -> PostgresUnitOfWork:
        session = self._session_factory()
        await session.begin()
        transaction = _Transaction(session, BufferedOutbox(self._publish_movements))
        self._open.set((*self._open.get(), transaction))
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        transaction = self._current
        self._open.set(self._open.get()[:-1])
        try:
            await transaction.session.rollback()  # nothing left after a commit
        finally:
            await transaction.session.close()

    async def write_outbox(self) -> None:
        """Write the buffered outbox rows now (commit does it too), e.g. so that every write of the
        transaction is sent before the commit waits on something else."""
        transaction = self._current
        await transaction.outbox.flush(transaction.session)

    async def commit(self) -> None:
        """Write the buffered outbox rows, then commit."""
        await self.write_outbox()
        await self._current.session.commit()
