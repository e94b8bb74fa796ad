"""In-memory adapters of every port, for fast unit tests of the use cases."""

from __future__ import annotations

import copy
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import TracebackType

from canon.envelope import Envelope
from canon.ledger import JournalEntry
from canon.sales import SalesTransaction

from order_ledger.application.events import OutgoingEvent
from order_ledger.application.ports import (
    DocumentKey,
    NewTransaction,
    ReferenceNeeds,
    Rejection,
    ShipmentCost,
    StoredBatch,
)
from order_ledger.domain.erp_export import ErpAck
from order_ledger.domain.reference import PostingReference


@dataclass
class _Stored:
    record: NewTransaction
    superseded: bool = False


@dataclass
class InMemoryState:
    transactions: dict[tuple[str, str, int], _Stored] = field(default_factory=dict)
    entries: dict[str, JournalEntry] = field(default_factory=dict)
    rejections: list[Rejection] = field(default_factory=list)
    events: list[tuple[Envelope, bytes]] = field(default_factory=list)
    batches: dict[str, dict[str, object]] = field(default_factory=dict)
    exported: dict[str, str] = field(default_factory=dict)
    shipment_costs: dict[str, ShipmentCost] = field(default_factory=dict)


class InMemoryTransactions:
    def __init__(self, state: InMemoryState) -> None:
        self.state = state

    def _current(self) -> list[SalesTransaction]:
        return [s.record.transaction for s in self.state.transactions.values() if not s.superseded]

    async def current_revisions(self, keys: Collection[DocumentKey]) -> dict[DocumentKey, int]:
        found: dict[DocumentKey, int] = {}
        for source, document, revision in self.state.transactions:
            if (source, document) in keys:
                found[(source, document)] = max(revision, found.get((source, document), 0))
        return found

    async def by_documents(self, document_ids: Collection[str]) -> dict[str, SalesTransaction]:
        return {tx.document_id: tx for tx in self._current() if tx.document_id in document_ids}

    async def returns_of(self, document_ids: Collection[str]) -> dict[str, list[SalesTransaction]]:
        found: dict[str, list[SalesTransaction]] = {}
        for tx in self._current():
            if tx.original_document_id in document_ids:
                found.setdefault(tx.original_document_id or "", []).append(tx)
        return found

    async def add(self, records: list[NewTransaction]) -> set[tuple[str, str, int]]:
        new = set()
        for record in records:
            tx = record.transaction
            key = (tx.source_system, tx.document_id, tx.revision)
            if key not in self.state.transactions:
                self.state.transactions[key] = _Stored(record)
                new.add(key)
        return new

    async def mark_superseded(self, keys: list[tuple[str, str, int]]) -> None:
        for key in keys:
            self.state.transactions[key].superseded = True

    async def legal_entity_of_order(self, order_id: str) -> tuple[str, str] | None:
        found = [tx for tx in self._current() if tx.order_id == order_id]
        return (found[0].legal_entity_id, found[0].channel_id) if found else None


class InMemoryJournal:
    def __init__(self, state: InMemoryState) -> None:
        self.state = state

    async def add(self, entries: list[JournalEntry]) -> None:
        for entry in entries:
            assert entry.entry_id not in self.state.entries, f"entry {entry.entry_id} posted twice"
            self.state.entries[entry.entry_id] = entry

    async def get(self, entry_id: str) -> JournalEntry | None:
        return self.state.entries.get(entry_id)

    async def exists(self, entry_id: str) -> bool:
        return entry_id in self.state.entries


class InMemoryRejections:
    def __init__(self, state: InMemoryState) -> None:
        self.state = state

    async def add(self, rejections: list[Rejection]) -> None:
        self.state.rejections.extend(rejections)


class InMemoryOutbox:
    def __init__(self, state: InMemoryState) -> None:
        self.state = state

    async def add_many(self, events: list[tuple[Envelope, bytes]]) -> None:
        known = {envelope.id for envelope, _ in self.state.events}
        self.state.events.extend(event for event in events if event[0].id not in known)

    async def add_events(self, events: list[OutgoingEvent]) -> None:
        await self.add_many([(event.envelope(), event.payload) for event in events])


class InMemoryShipmentCosts:
    def __init__(self, state: InMemoryState) -> None:
        self.state = state

    async def add(self, cost: ShipmentCost) -> None:
        self.state.shipment_costs.setdefault(cost.movement_id, cost)

    async def of_order(self, order_id: str, sku: str) -> list[ShipmentCost]:
        return [c for c in self.state.shipment_costs.values() if (c.order_id, c.sku) == (order_id, sku)]


class InMemoryReference:
    def __init__(self, reference: PostingReference) -> None:
        self.reference = reference

    async def load(self, needs: ReferenceNeeds) -> PostingReference:
        return self.reference


class InMemoryExports:
    def __init__(self, state: InMemoryState) -> None:
        self.state = state

    async def unexported_entries(self, limit: int) -> list[JournalEntry]:
        pending = [e for e in self.state.entries.values() if e.entry_id not in self.state.exported]
        return sorted(pending, key=lambda e: (e.posted_at, e.entry_id))[:limit]

    async def create(
        self, batch_id: str, entry_ids: list[str], json_document: bytes, csv_document: bytes
    ) -> None:
        self.state.batches[batch_id] = {
            "json": json_document,
            "csv": csv_document,
            "attempts": 0,
            "sent_at": None,
            "ack": None,
        }
        for entry_id in entry_ids:
            self.state.exported[entry_id] = batch_id

    async def due(self, now: datetime, resend_after_s: float) -> list[StoredBatch]:
        due = []
        for batch_id, batch in self.state.batches.items():
            sent_at: datetime | None = batch["sent_at"]  # type: ignore[assignment]
            if batch["ack"] is None and (
                sent_at is None or now - sent_at >= timedelta(seconds=resend_after_s)
            ):
                due.append(StoredBatch(batch_id, batch["json"], batch["csv"], batch["attempts"], False))  # type: ignore[arg-type]
        return due

    async def record_attempt(self, batch_id: str, at: datetime, error: str | None) -> None:
        batch = self.state.batches[batch_id]
        batch["attempts"] = int(batch["attempts"]) + 1  # type: ignore[call-overload]
        batch["sent_at"] = at

    async def acknowledge(self, ack: ErpAck, at: datetime) -> bool:
        batch = self.state.batches.get(ack.batch_id)
        if batch is None:
            return False
        batch["ack"] = ack
        return True


class InMemoryUnitOfWork:
    """Keeps committed state; a unit of work left without commit leaves no trace."""

    def __init__(self, reference: PostingReference | None = None) -> None:
        self.committed = InMemoryState()
        self.reference_data = reference or PostingReference()
        self.commits = 0

    def __call__(self) -> InMemoryUnitOfWork:
        return self

    async def __aenter__(self) -> InMemoryUnitOfWork:
        self.working = copy.deepcopy(self.committed)
        self.transactions = InMemoryTransactions(self.working)
        self.journal = InMemoryJournal(self.working)
        self.rejections = InMemoryRejections(self.working)
        self.outbox = InMemoryOutbox(self.working)
        self.exports = InMemoryExports(self.working)
        self.shipment_costs = InMemoryShipmentCosts(self.working)
        self.reference = InMemoryReference(self.reference_data)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None

    async def commit(self) -> None:
        self.committed = self.working
        self.commits += 1
