"""In-memory adapters of the intake and workflow ports, for fast unit tests of the use cases."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from types import TracebackType

from canon.bank import BankStatement
from canon.envelope import Envelope
from connectors.settlement.table import SettlementTable

from reconciliation.domain.files import FileRecord
from reconciliation.domain.periods import Period
from reconciliation.domain.workflow import AuditStep, ExceptionCase


@dataclass
class InMemoryState:
    files: dict[str, FileRecord] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    rejections: list[tuple[str, list[dict[str, object]]]] = field(default_factory=list)
    periods: list[Period] = field(default_factory=list)
    cases: dict[str, ExceptionCase] = field(default_factory=dict)
    audit: list[tuple[str, int, AuditStep]] = field(default_factory=list)
    adjustments: list[str] = field(default_factory=list)
    events: list[tuple[Envelope, bytes]] = field(default_factory=list)


class InMemoryFiles:
    def __init__(self, state: InMemoryState) -> None:
        self._state = state

    async def duplicate_of(
        self, file_id: str, legal_entity_id: str, kind: str, source_format: str, report_ids: list[str]
    ) -> str | None:
        if file_id in self._state.files:
            return f"same content as file {file_id}"
        for record in self._state.files.values():
            same_source = (record.legal_entity_id, record.kind, record.source_format) == (
                legal_entity_id, kind, source_format,
            )  # fmt: skip
            if same_source and set(record.report_id.split("+")) & set(report_ids):
                return f"report {record.report_id} already taken in file {record.file_id}"
        return None

    async def periods(self, legal_entity_id: str) -> list[Period]:
        return list(self._state.periods)

    async def add_settlement(self, record: FileRecord, table: SettlementTable) -> None:
        self._state.files[record.file_id] = record
        self._state.lines[record.file_id] = len(table)

    async def add_bank(self, record: FileRecord, statements: list[BankStatement]) -> None:
        self._state.files[record.file_id] = record
        self._state.lines[record.file_id] = sum(len(s.lines) for s in statements)

    async def add_rejection(
        self, file_id: str, filename: str | None, at: datetime, problems: list[dict[str, object]]
    ) -> None:
        self._state.rejections.append((file_id, problems))


class InMemoryCases:
    def __init__(self, state: InMemoryState) -> None:
        self._state = state

    async def get(self, exception_id: str) -> ExceptionCase | None:
        return self._state.cases.get(exception_id)

    async def save(self, case: ExceptionCase, steps: list[AuditStep]) -> list[int]:
        first = 1 + sum(1 for exception_id, _, _ in self._state.audit if exception_id == case.exception_id)
        numbers = list(range(first, first + len(steps)))
        self._state.cases[case.exception_id] = case
        self._state.audit.extend((case.exception_id, n, s) for n, s in zip(numbers, steps, strict=True))
        return numbers


class InMemoryVariances:
    def __init__(self, state: InMemoryState) -> None:
        self._state = state

    async def post_adjustment(self, case: ExceptionCase, at: datetime) -> None:
        self._state.adjustments.append(case.exception_id)


class InMemoryOutbox:
    def __init__(self, state: InMemoryState) -> None:
        self._state = state

    async def add(self, envelope: Envelope, payload: bytes) -> None:
        self._state.events.append((envelope, payload))


@dataclass
class InMemoryUnitOfWork:
    """Keeps committed state; a unit of work left without commit leaves no trace."""

    committed: InMemoryState = field(default_factory=InMemoryState)
    commits: int = 0

    def __call__(self) -> InMemoryUnitOfWork:
        self._working = replace(
            self.committed,
            files=dict(self.committed.files),
            lines=dict(self.committed.lines),
            rejections=list(self.committed.rejections),
            cases=dict(self.committed.cases),
            audit=list(self.committed.audit),
            adjustments=list(self.committed.adjustments),
            events=list(self.committed.events),
        )
        self.files = InMemoryFiles(self._working)
        self.exceptions = InMemoryCases(self._working)
        self.variances = InMemoryVariances(self._working)
        self.outbox = InMemoryOutbox(self._working)
        return self

    async def __aenter__(self) -> InMemoryUnitOfWork:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None

    async def commit(self) -> None:
        self.committed = self._working
        self.commits += 1
