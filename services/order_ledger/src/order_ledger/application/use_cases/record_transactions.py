"""Record and post a batch of sales transactions (REST batch, raw channel payloads, files, NATS).

Rules:
- each record stands alone: a bad one is rejected with every reason (field and why), the good ones
  of the same batch are posted;
- the same source + document + revision again is a duplicate: reported, nothing posted; an older
  revision than the one held is `superseded`; a newer one reverses the held entry and posts anew;
- a return is priced by its original (returns.py) before it is validated, so the refund must be
  what was paid after the item's share of every discount, less any re-pricing of what is kept;
- the priced transaction, its entry (and a reversal) and the events
  `retail.sales.transaction_recorded.v1` / `retail.ledger.entry_posted.v1` are written in the
  caller's unit of work; rejected records are kept with their reasons.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from canon.errors import ValidationError
from canon.ledger import JournalEntry
from canon.sales import SalesTransaction, validate_transaction

from order_ledger.application import events, metrics
from order_ledger.application.ports import (
    NewTransaction,
    ReferenceNeeds,
    Rejection,
    UnitOfWork,
    UnitOfWorkFactory,
)
from order_ledger.domain.journal import journal_entry_id
from order_ledger.domain.outcome import BatchResult, FieldProblem, RecordOutcome
from order_ledger.domain.periods import choose_period
from order_ledger.domain.posting import post_transaction, reversal_of
from order_ledger.domain.reference import PostingReference
from order_ledger.domain.returns import price_return

Authorize = Callable[[SalesTransaction], FieldProblem | None]


@dataclass(frozen=True, slots=True)
class Submission:
    position: int
    transaction: SalesTransaction | None
    problems: list[FieldProblem] = field(default_factory=list)
    correlation_id: str | None = None


@dataclass
class _Batch:
    outcomes: list[RecordOutcome] = field(default_factory=list)
    rows: list[NewTransaction] = field(default_factory=list)
    entries: dict[tuple[str, str, int], list[JournalEntry]] = field(default_factory=dict)
    positions: dict[tuple[str, str, int], Submission] = field(default_factory=dict)
    superseded: list[tuple[str, str, int]] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)


def _needs(transactions: list[SalesTransaction], originals: dict[str, SalesTransaction]) -> ReferenceNeeds:
    everything = [*transactions, *originals.values()]
    return ReferenceNeeds(
        legal_entities={tx.legal_entity_id for tx in everything},
        skus={line.sku for tx in everything for line in tx.lines},
        nodes={tx.node_id for tx in everything},
        promotions={
            (d.promotion_id, d.promotion_version)
            for tx in everything
            for line in tx.lines
            for d in line.discounts
            if d.promotion_id is not None and d.promotion_version is not None
        },
        item_costs=set(),
    )


# Pricing and posting hand the event loop back every so many transactions, so a batch already in
# flight goes on as soon as its database round trip returns.
YIELD_EVERY = 50


class RecordTransactions:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Callable[[], datetime] | None = None) -> None:
        self._uow_factory = uow_factory
        self._clock = clock or (lambda: datetime.now(UTC))

    async def __call__(
        self, submissions: list[Submission], *, received_via: str, authorize: Authorize | None = None
    ) -> BatchResult:
        async with self._uow_factory() as uow:
            result, posted = await self.record(
                uow, submissions, received_via=received_via, authorize=authorize
            )
            await uow.commit()
        self.observe(posted, result, received_via)
        return result

    def observe(self, posted: list[SalesTransaction], result: BatchResult, received_via: str) -> None:
        """Metrics, once the batch is committed."""
        now = self._clock()
        latency = metrics.ORDER_TO_POSTING_SECONDS.labels(received_via)
        for tx in posted:
            latency.observe(max(0.0, (now - tx.occurred_at).total_seconds()))
        for status, count in Counter(outcome.status for outcome in result.outcomes).items():
            metrics.TRANSACTIONS.labels(received_via, status).inc(count)

    async def record(
        self,
        uow: UnitOfWork,
        submissions: list[Submission],
        *,
        received_via: str,
        authorize: Authorize | None = None,
    ) -> tuple[BatchResult, list[SalesTransaction]]:
        """Post into `uow` without committing (the NATS consumer commits many messages at once)."""
        now = self._clock()
        batch = _Batch()
        candidates: list[tuple[Submission, SalesTransaction]] = []
        for submission in submissions:
            tx = submission.transaction
            problems = list(submission.problems)
            if tx is not None and authorize is not None and (denied := authorize(tx)) is not None:
                problems.append(denied)
            if tx is None or problems:
                self._reject(batch, submission, tx, problems, received_via)
            else:
                candidates.append((submission, tx))
        held = await uow.transactions.current_revisions(
            {(tx.source_system, tx.document_id) for _, tx in candidates}
        )
        originals_wanted = {tx.original_document_id for _, tx in candidates if tx.original_document_id}
        originals = await uow.transactions.by_documents(originals_wanted) if originals_wanted else {}
        earlier = await uow.transactions.returns_of(originals_wanted) if originals_wanted else {}
        reference = await uow.reference.load(_needs([tx for _, tx in candidates], originals))
        for number, (submission, tx) in enumerate(candidates, start=1):
            if number % YIELD_EVERY == 0:
                await asyncio.sleep(0)  # another batch's finished round trip can go on meanwhile
            key = (tx.source_system, tx.document_id)
            current = held.get(key)
            if current is not None and tx.revision <= current:
                status = "duplicate" if tx.revision == current else "superseded"
                batch.outcomes.append(_outcome(submission, tx, status))
                continue
            posted = await self._post(
                uow, batch, submission, tx, current, originals, earlier, reference, now, received_via
            )
            if posted is not None:
                held[key] = tx.revision
                originals[tx.document_id] = posted
                if posted.original_document_id:
                    earlier.setdefault(posted.original_document_id, []).append(posted)
        return await self._write(uow, batch, received_via, now)

    async def _post(
        self,
        uow: UnitOfWork,
        batch: _Batch,
        submission: Submission,
        tx: SalesTransaction,
        current_revision: int | None,
        originals: dict[str, SalesTransaction],
        earlier: dict[str, list[SalesTransaction]],
        reference: PostingReference,
        now: datetime,
        received_via: str,
    ) -> SalesTransaction | None:
        try:
            original = originals.get(tx.original_document_id or "")
            priced = price_return(
                tx,
                original,
                earlier.get(tx.original_document_id or "", []),
                reference.promotions,
                reference.categories,
            )
            problems = validate_transaction(priced.transaction)
            if problems:
                self._reject(
                    batch,
                    submission,
                    tx,
                    [FieldProblem(field=p.field, reason=p.reason) for p in problems],
                    received_via,
                )
                return None
            entries: list[JournalEntry] = []
            entry = post_transaction(priced.transaction, reference, posted_at=now, flags=priced.flags)
            if current_revision is not None:
                held = await uow.journal.get(
                    journal_entry_id(tx.source_system, tx.document_id, current_revision)
                )
                if held is not None:
                    calendars = reference.calendars.get(held.legal_entity_id, [])
                    period = choose_period(held.legal_entity_id, calendars, held.business_date)
                    entries.append(reversal_of(held, posted_at=now, period=period))
                batch.superseded.append((tx.source_system, tx.document_id, current_revision))
        except ValidationError as error:
            self._reject(
                batch, submission, tx, [FieldProblem(field=error.field, reason=error.reason)], received_via
            )
            return None
        if entry is not None:
            entries.append(entry)
        key = (tx.source_system, tx.document_id, tx.revision)
        flags = tuple(entry.flags) if entry is not None else (*priced.flags, "nothing_to_post")
        batch.rows.append(
            NewTransaction(
                priced.transaction,
                entry.entry_id if entry else None,
                flags,
                received_via,
                events.encode_transaction(priced.transaction),
            )
        )
        batch.entries[key] = entries
        batch.positions[key] = submission
        return priced.transaction

    @staticmethod
    def _reject(
        batch: _Batch,
        submission: Submission,
        tx: SalesTransaction | None,
        problems: list[FieldProblem],
        received_via: str,
    ) -> None:
        batch.outcomes.append(_outcome(submission, tx, "rejected", errors=problems))
        batch.rejections.append(
            Rejection(
                source_system=tx.source_system if tx else None,
                document_id=tx.document_id if tx else None,
                revision=tx.revision if tx else None,
                received_via=received_via,
                errors=problems,
            )
        )

    async def _write(
        self, uow: UnitOfWork, batch: _Batch, received_via: str, now: datetime
    ) -> tuple[BatchResult, list[SalesTransaction]]:
        inserted = await uow.transactions.add(batch.rows) if batch.rows else set()
        if batch.superseded:
            await uow.transactions.mark_superseded(batch.superseded)
        posted: list[SalesTransaction] = []
        entries: list[JournalEntry] = []
        outgoing = []
        for row in batch.rows:
            tx = row.transaction
            key = (tx.source_system, tx.document_id, tx.revision)
            submission = batch.positions[key]
            if key not in inserted:  # a concurrent batch recorded it first
                batch.outcomes.append(_outcome(submission, tx, "duplicate"))
                continue
            posted.append(tx)
            entries += batch.entries[key]
            correlation_id = submission.correlation_id
            outgoing.append(events.recorded_event(tx, row.payload, now, correlation_id))
            outgoing += [events.posted_event(entry, correlation_id) for entry in batch.entries[key]]
            ids = [entry.entry_id for entry in batch.entries[key]]
            batch.outcomes.append(_outcome(submission, tx, "posted", entry_ids=ids, flags=list(row.flags)))
        if entries:
            await uow.journal.add(entries)
        if outgoing:
            await uow.outbox.add_events(outgoing)
        if batch.rejections:
            await uow.rejections.add(batch.rejections)
        return BatchResult.of(batch.outcomes), posted


def _outcome(
    submission: Submission,
    tx: SalesTransaction | None,
    status: str,
    *,
    errors: list[FieldProblem] | None = None,
    entry_ids: list[str] | None = None,
    flags: list[str] | None = None,
) -> RecordOutcome:
    return RecordOutcome(
        position=submission.position,
        status=status,  # type: ignore[arg-type]
        source_system=tx.source_system if tx else None,
        document_id=tx.document_id if tx else None,
        revision=tx.revision if tx else None,
        entry_ids=entry_ids or [],
        flags=flags or [],
        errors=errors or [],
    )
