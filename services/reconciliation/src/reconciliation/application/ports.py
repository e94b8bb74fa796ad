"""Ports the use cases need; adapters under `reconciliation.adapters` implement them."""

from __future__ import annotations

from datetime import datetime
from types import TracebackType
from typing import Protocol

from canon.bank import BankStatement
from canon.envelope import Envelope
from connectors.settlement.table import SettlementTable

from reconciliation.domain.files import FileRecord, RunSummary
from reconciliation.domain.periods import Period
from reconciliation.domain.workflow import AuditStep, ExceptionCase


class AlreadyTakenError(Exception):
    """A concurrent upload of the same file (or report) won the race."""


class ReconFiles(Protocol):
    """Files taken and their lines; changes persist only on UnitOfWork.commit()."""

    async def duplicate_of(
        self, file_id: str, legal_entity_id: str, kind: str, source_format: str, report_ids: list[str]
    ) -> str | None:
        """Why this file was already taken (same bytes, or the legal entity already has one of its
        report / statement ids), else None."""
        ...

    async def periods(self, legal_entity_id: str) -> list[Period]:
        """The legal entity's fiscal periods with their configured cut-offs."""
        ...

    async def add_settlement(self, record: FileRecord, table: SettlementTable) -> None: ...

    async def add_bank(self, record: FileRecord, statements: list[BankStatement]) -> None: ...

    async def add_rejection(
        self, file_id: str, filename: str | None, at: datetime, problems: list[dict[str, object]]
    ) -> None: ...


class ExceptionCases(Protocol):
    """Exceptions in the workflow; `get` locks the row against a concurrent step."""

    async def get(self, exception_id: str) -> ExceptionCase | None: ...

    async def save(self, case: ExceptionCase, steps: list[AuditStep]) -> list[int]:
        """Store the new state and append the audit steps; returns their step numbers."""
        ...


class VarianceOutbox(Protocol):
    """Records an adjusting entry as a variance of the exception (kept and published once)."""

    async def post_adjustment(self, case: ExceptionCase, at: datetime) -> None: ...


class EventOutbox(Protocol):
    """Events leave in the same transaction as the state that caused them."""

    async def add(self, envelope: Envelope, payload: bytes) -> None: ...


class UnitOfWork(Protocol):
    @property
    def files(self) -> ReconFiles: ...

    @property
    def exceptions(self) -> ExceptionCases: ...

    @property
    def variances(self) -> VarianceOutbox: ...

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


class Reconciler(Protocol):
    """Runs every control for one legal entity as of an instant (set-based, idempotent)."""

    async def run(self, legal_entity_id: str, as_of: datetime) -> RunSummary: ...
