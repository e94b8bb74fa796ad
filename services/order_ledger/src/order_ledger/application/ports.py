"""Ports the use cases need; adapters under `order_ledger.adapters` implement them."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Protocol

from canon.envelope import Envelope
from canon.ledger import JournalEntry
from canon.money import Money
from canon.sales import SalesTransaction

from order_ledger.application.events import OutgoingEvent
from order_ledger.domain.erp_export import ErpAck
from order_ledger.domain.outcome import FieldProblem
from order_ledger.domain.reference import PostingReference

DocumentKey = tuple[str, str]
"""(source_system, document_id)"""


@dataclass(frozen=True, slots=True)
class NewTransaction:
    transaction: SalesTransaction
    entry_id: str | None
    flags: tuple[str, ...]
    received_via: str
    payload: bytes
    """`transaction` as JSON (events.encode_transaction): the row's payload, and the recorded event's."""


@dataclass(frozen=True, slots=True)
class Rejection:
    source_system: str | None
    document_id: str | None
    revision: int | None
    received_via: str
    errors: list[FieldProblem]


@dataclass(frozen=True, slots=True)
class ReferenceNeeds:
    legal_entities: set[str]
    skus: set[str]
    nodes: set[str]
    promotions: set[tuple[str, int]]
    item_costs: set[tuple[str, str]]


class Transactions(Protocol):
    """Recorded sales transactions (the priced form); changes persist only on commit."""

    async def current_revisions(self, keys: Collection[DocumentKey]) -> dict[DocumentKey, int]: ...

    async def by_documents(self, document_ids: Collection[str]) -> dict[str, SalesTransaction]:
        """The current revision of each document id that is known (any source system)."""
        ...

    async def returns_of(self, document_ids: Collection[str]) -> dict[str, list[SalesTransaction]]:
        """Current revisions of the returns/exchanges naming each document as original, oldest first."""
        ...

    async def add(self, records: list[NewTransaction]) -> set[tuple[str, str, int]]:
        """Insert; returns the (source, document, revision) keys that were new (others: duplicates)."""
        ...

    async def mark_superseded(self, keys: list[tuple[str, str, int]]) -> None: ...

    async def legal_entity_of_order(self, order_id: str) -> tuple[str, str] | None:
        """(legal entity, channel) of an order's first recorded transaction."""
        ...


class Journal(Protocol):
    async def add(self, entries: list[JournalEntry]) -> None: ...

    async def get(self, entry_id: str) -> JournalEntry | None: ...

    async def exists(self, entry_id: str) -> bool: ...


class Rejections(Protocol):
    async def add(self, rejections: list[Rejection]) -> None: ...


class Reference(Protocol):
    async def load(self, needs: ReferenceNeeds) -> PostingReference: ...


class EventOutbox(Protocol):
    async def add_many(self, events: list[tuple[Envelope, bytes]]) -> None: ...

    async def add_events(self, events: list[OutgoingEvent]) -> None:
        """The same as `add_many` of their envelopes (new event ids: the posting hot path)."""
        ...


@dataclass(frozen=True, slots=True)
class StoredBatch:
    batch_id: str
    json_document: bytes
    csv_document: bytes
    attempts: int
    acknowledged: bool


class Exports(Protocol):
    async def unexported_entries(self, limit: int) -> list[JournalEntry]: ...

    async def create(
        self, batch_id: str, entry_ids: list[str], json_document: bytes, csv_document: bytes
    ) -> None: ...

    async def due(self, now: datetime, resend_after_s: float) -> list[StoredBatch]:
        """Batches never sent, or sent without acknowledgment more than `resend_after_s` ago."""
        ...

    async def record_attempt(self, batch_id: str, at: datetime, error: str | None) -> None: ...

    async def acknowledge(self, ack: ErpAck, at: datetime) -> bool:
        """Record the acknowledgment; False when the batch is unknown."""
        ...


@dataclass(frozen=True, slots=True)
class ShipmentCost:
    """The cost a shipment's COGS was posted at."""

    movement_id: str
    order_id: str
    sku: str
    legal_entity_id: str
    qty: int
    unit_cost: Money


class ShipmentCosts(Protocol):
    async def add(self, cost: ShipmentCost) -> None: ...

    async def of_order(self, order_id: str, sku: str) -> list[ShipmentCost]:
        """Shipments of `sku` for `order_id`, oldest first."""
        ...


class UnitOfWork(Protocol):
    @property
    def transactions(self) -> Transactions: ...

    @property
    def journal(self) -> Journal: ...

    @property
    def rejections(self) -> Rejections: ...

    @property
    def reference(self) -> Reference: ...

    @property
    def outbox(self) -> EventOutbox: ...

    @property
    def exports(self) -> Exports: ...

    @property
    def shipment_costs(self) -> ShipmentCosts: ...

    async def __aenter__(self) -> UnitOfWork: ...

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Rolls back whatever was not committed."""
        ...

    async def commit(self) -> None: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self) -> UnitOfWork: ...


class ErpExporter(Protocol):
    """Delivers a batch to the ERP; an ERP must treat a batch id it has seen as already posted."""

    async def send(self, batch_id: str, json_document: bytes, csv_document: bytes) -> ErpAck | None:
        """The ERP's acknowledgment, or None when it comes later (or was lost): re-sent then."""
        ...

    async def acknowledgments(self) -> list[ErpAck]:
        """Acknowledgments that arrived out of band (e.g. ack files); each returned once."""
        ...
