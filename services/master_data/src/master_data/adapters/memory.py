"""In-memory adapters of every port, for fast unit tests of the use cases."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from types import TracebackType

from canon.envelope import Envelope

from master_data.domain.record import StoredRecord


@dataclass
class InMemoryRecords:
    current: dict[tuple[str, str], StoredRecord] = field(default_factory=dict)
    history: list[StoredRecord] = field(default_factory=list)

    async def get_many(self, record_type: str, keys: Collection[str]) -> dict[str, StoredRecord]:
        return {key: self.current[(record_type, key)] for key in keys if (record_type, key) in self.current}

    async def save(self, stored: StoredRecord, *, source: str, correlation_id: str | None) -> None:
        self.current[(stored.record_type, stored.key)] = stored
        self.history.append(stored)


@dataclass
class InMemoryOutbox:
    events: list[tuple[Envelope, bytes]] = field(default_factory=list)

    async def add(self, envelope: Envelope, payload: bytes) -> None:
        self.events.append((envelope, payload))


@dataclass
class InMemoryUnitOfWork:
    """Keeps committed state; a unit of work left without commit leaves no trace."""

    committed_records: InMemoryRecords = field(default_factory=InMemoryRecords)
    committed_outbox: InMemoryOutbox = field(default_factory=InMemoryOutbox)
    commits: int = 0

    def __call__(self) -> InMemoryUnitOfWork:
        self.records = InMemoryRecords(
            dict(self.committed_records.current), list(self.committed_records.history)
        )
        self.outbox = InMemoryOutbox(list(self.committed_outbox.events))
        return self

    async def __aenter__(self) -> InMemoryUnitOfWork:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None

    async def commit(self) -> None:
        self.committed_records = self.records
        self.committed_outbox = self.outbox
        self.commits += 1
