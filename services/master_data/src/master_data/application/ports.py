"""Ports the use cases need; adapters under `master_data.adapters` implement them."""

from __future__ import annotations

from collections.abc import Collection
from types import TracebackType
from typing import Protocol

from canon.envelope import Envelope

from master_data.domain.record import StoredRecord


class ConcurrentChangeError(Exception):
    """Another writer created or changed the same record first; the unit of work must be retried."""


class MasterRecords(Protocol):
    """Current versions and their history; changes persist only on UnitOfWork.commit()."""

    async def get_many(self, record_type: str, keys: Collection[str]) -> dict[str, StoredRecord]:
        """The current versions of those keys that exist, locked against concurrent change."""
        ...

    async def save(self, stored: StoredRecord, *, source: str, correlation_id: str | None) -> None:
        """Make `stored` the current version and append it to the history."""
        ...


class EventOutbox(Protocol):
    """Events leave in the same transaction as the state that caused them."""

    async def add(self, envelope: Envelope, payload: bytes) -> None: ...


class UnitOfWork(Protocol):
    @property
    def records(self) -> MasterRecords: ...

    @property
    def outbox(self) -> EventOutbox: ...

    async def __aenter__(self) -> UnitOfWork: ...

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Rolls back whatever was not committed."""
        ...

    async def commit(self) -> None: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self) -> UnitOfWork: ...
