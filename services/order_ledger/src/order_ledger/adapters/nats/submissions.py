"""Consumer of `retail.sales.transaction_submitted.v1` that commits a whole fetched batch at once.

Per fetch: decode every message (a bad envelope or payload goes to the DLQ at once); then ONE
database transaction inserts the inbox rows (event ids; redelivered ones are skipped) and records
every new transaction; commit; then ack (a transaction the ledger rejected is dead-lettered with
its reasons instead). If the batch transaction fails, each message is retried on its own, so one
poison message cannot hold the others back. Crash anywhere: nothing is acked before the commit,
and the inbox makes the redelivery a no-op.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from dataclasses import dataclass

import structlog
from canon.envelope import Envelope
from canon.errors import ValidationError
from canon.sales_intake import TRANSACTION_SUBMITTED
from messaging.consumer import SERVER_DELIVERY_MARGIN, ConsumerSpec
from messaging.dlq import DeadLetters
from messaging.topology import Topology
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from order_ledger.adapters.postgres.repositories import raw_connection
from order_ledger.adapters.postgres.unit_of_work import SessionUnitOfWork
from order_ledger.application.use_cases.record_transactions import RecordTransactions, Submission
from order_ledger.domain.outcome import RecordOutcome

log = structlog.get_logger(__name__)
SUBMISSION_SPEC = ConsumerSpec(
    durable="order_ledger_submissions",
    stream="SALES",
    filter_subjects=(TRANSACTION_SUBMITTED.subject,),
    ack_wait_s=60.0,
    batch_size=1000,
)
GATHER_S = 0.15
IN_FLIGHT = 3
# Decoding and posting hand the event loop back every YIELD_EVERY messages, so the batch in flight
# is not kept waiting on a finished database round trip for a whole batch's CPU work.
YIELD_EVERY = 50
_NEW_INBOX_ROWS = (
    "INSERT INTO inbox (consumer, event_id) SELECT $1, unnest($2::text[]) "
    "ON CONFLICT DO NOTHING RETURNING event_id"
)


@dataclass(frozen=True, slots=True)
class _Item:
    msg: Msg
    envelope: Envelope
    submission: Submission


class SubmissionConsumer:
    def __init__(
        self,
        js: JetStreamContext,
        session_factory: async_sessionmaker[AsyncSession],
        topology: Topology,
        record: RecordTransactions,
        dead_letters: DeadLetters,
        spec: ConsumerSpec = SUBMISSION_SPEC,
    ) -> None:
        self._js, self._session_factory, self._topology = js, session_factory, topology
        self._record, self._dead_letters, self.spec = record, dead_letters, spec
        self._stream = topology.stream(spec.stream).name
        self._subscription: JetStreamContext.PullSubscription | None = None
        self.fetched = 0

    @property
    def bound(self) -> bool:
        return self._subscription is not None

    async def bind(self) -> None:
        config = ConsumerConfig(
            durable_name=self.spec.durable,
            deliver_policy=DeliverPolicy.ALL,
            ack_policy=AckPolicy.EXPLICIT,
            ack_wait=self.spec.ack_wait_s,
            max_deliver=self.spec.max_deliver + SERVER_DELIVERY_MARGIN,
            max_ack_pending=self.spec.batch_size * 4,
            filter_subject=self._topology.subject(self.spec.filter_subjects[0]),
        )
        await self._js.add_consumer(self._stream, config)
        if self._subscription is None:
            self._subscription = await self._js.pull_subscribe_bind(
                durable=self.spec.durable, stream=self._stream
            )

    async def process_once(self, timeout_s: float = 1.0) -> int:
        """Fetch one batch and settle it (sequential; `run` overlaps two batches)."""
        items, fetched = await self._fetch(timeout_s)
        if items:
            await self._apply_and_settle(items)
        return fetched

    async def _fetch(self, timeout_s: float) -> tuple[list[_Item], int]:
        """Up to one batch: fetches again while the stream keeps handing messages over (a backlog),
        for at most GATHER_S, so a fetch cut short by its timeout while the batch in flight held the
        event loop does not leave a tiny batch; an idle stream costs one fetch timeout."""
        if self._subscription is None:
            raise RuntimeError("bind() the consumer first")
        messages: list[Msg] = []
        started = time.monotonic()
        while len(messages) < self.spec.batch_size:
            wanted, asked_at = self.spec.batch_size - len(messages), time.monotonic()
            try:
                got = await self._subscription.fetch(wanted, timeout=timeout_s)
            except TimeoutError:
                break
            messages += got
            now = time.monotonic()
            if now - started > GATHER_S or (len(got) < wanted and now - asked_at >= timeout_s):
                break  # gathered long enough, or this fetch waited out its timeout: no backlog
        self.fetched += len(messages)
        items = []
        for number, msg in enumerate(messages, start=1):
            if (item := await self._decode(msg)) is not None:
                items.append(item)
            if number % YIELD_EVERY == 0:
                await asyncio.sleep(0)  # the batch in flight resumes as soon as its statement returns
        return items, len(messages)

    async def _apply_and_settle(self, items: list[_Item]) -> None:
        try:
            outcomes = await self._apply(items)
        except Exception:
            log.exception("submission_batch_failed", size=len(items))
            for item in items:
                await self._one_by_one(item)
        else:
            await self._settle(items, outcomes)

    async def _decode(self, msg: Msg) -> _Item | None:
        try:
            envelope = Envelope.from_headers(msg.headers or {})
            if envelope.type != TRANSACTION_SUBMITTED.type:
                raise ValidationError(
                    "ce-type", f"expected {TRANSACTION_SUBMITTED.type}, got {envelope.type}"
                )
            payload = TRANSACTION_SUBMITTED.decode(msg.data)
        except ValidationError as error:
            await self._dead_letter(msg, f"invalid message: {error}", msg.metadata.num_delivered or 1)
            return None
        submission = Submission(0, payload.transaction, correlation_id=envelope.correlation_id or envelope.id)
        return _Item(msg, envelope, submission)

    async def _apply(self, items: list[_Item]) -> dict[str, RecordOutcome]:
        """Event id -> outcome of the new ones (redelivered events are absent: already applied)."""
        async with self._session_factory() as session, session.begin():
            ids = list(dict.fromkeys(item.envelope.id for item in items))
            connection = await raw_connection(session)
            fresh_ids = {row[0] for row in await connection.fetch(_NEW_INBOX_ROWS, self.spec.durable, ids)}
            fresh: dict[str, Submission] = {}
            for item in items:
                if item.envelope.id in fresh_ids and item.envelope.id not in fresh:
                    fresh[item.envelope.id] = Submission(
                        len(fresh) + 1,
                        item.submission.transaction,
                        correlation_id=item.submission.correlation_id,
                    )
            result, posted = await self._record.record(
                SessionUnitOfWork(session), list(fresh.values()), received_via="nats"
            )
        self._record.observe(posted, result, "nats")
        by_position = {outcome.position: outcome for outcome in result.outcomes}
        return {event_id: by_position[submission.position] for event_id, submission in fresh.items()}

    async def _settle(self, items: list[_Item], outcomes: dict[str, RecordOutcome]) -> None:
        for item in items:
            outcome = outcomes.get(item.envelope.id)
            if outcome is not None and outcome.status == "rejected":
                reasons = "; ".join(f"{e.field}: {e.reason}" for e in outcome.errors)
                await self._dead_letter(
                    item.msg, f"rejected: {reasons}", item.msg.metadata.num_delivered or 1
                )
            else:
                await item.msg.ack()

    async def _one_by_one(self, item: _Item) -> None:
        deliveries = item.msg.metadata.num_delivered or 1
        try:
            outcomes = await self._apply([item])
        except Exception as error:
            if deliveries >= self.spec.max_deliver:
                await self._dead_letter(
                    item.msg, f"retries exhausted after {deliveries} deliveries: {error!r}", deliveries
                )
            else:
                await item.msg.nak(delay=self.spec.nak_delay(deliveries))
            return
        await self._settle([item], outcomes)

    async def _dead_letter(self, msg: Msg, reason: str, deliveries: int) -> None:
        await self._dead_letters.send(msg, consumer=self.spec.durable, reason=reason, deliveries=deliveries)
        await msg.term()

    async def run(self, stop: asyncio.Event, poll_s: float = 1.0) -> None:
        """Up to IN_FLIGHT batches at once: the next ones are priced and posted while the earlier
        ones wait on the database. Items naming a document of a batch in flight (the same document,
        or the original of a return), and the items after them naming theirs, wait for those batches
        to commit first, so they see them; the other items of the batch do not wait."""
        in_flight: deque[tuple[asyncio.Task[None], set[str]]] = deque()
        while not stop.is_set():
            try:
                if not self.bound:
                    await self.bind()
                items, _ = await self._fetch(poll_s)
                if not items:
                    continue
                blocked = set().union(*(documents for _, documents in in_flight))
                free, waiting = _split(items, blocked)
                task = asyncio.create_task(self._apply_and_settle(free)) if free else None
                if waiting:
                    earlier = [t for t, _ in in_flight] + ([task] if task is not None else [])
                    task = asyncio.create_task(self._after(waiting, earlier))
                if task is not None:
                    in_flight.append((task, _documents(items)))
                while len(in_flight) >= IN_FLIGHT:
                    await in_flight.popleft()[0]
            except Exception:
                log.exception("submission_consumer_failed")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), poll_s)
        while in_flight:
            await in_flight.popleft()[0]

    async def _after(self, items: list[_Item], earlier: list[asyncio.Task[None]]) -> None:
        """Settle `items` once the batches they may depend on committed (or failed and settled)."""
        for task in earlier:
            with contextlib.suppress(Exception):  # failures are settled (and logged) by the task
                await asyncio.shield(task)
        await self._apply_and_settle(items)


def _split(items: list[_Item], in_flight: set[str]) -> tuple[list[_Item], list[_Item]]:
    """(items free to go now, items that must wait): an item waits when it names a document in flight
    or a document an earlier waiting item names (so a chain keeps its order)."""
    blocked = set(in_flight)
    free: list[_Item] = []
    waiting: list[_Item] = []
    for item in items:
        documents = _documents([item])
        if documents & blocked:
            waiting.append(item)
            blocked |= documents
        else:
            free.append(item)
    return free, waiting


def _documents(items: list[_Item]) -> set[str]:
    documents: set[str] = set()
    for item in items:
        tx = item.submission.transaction
        if tx is not None:
            documents.add(tx.document_id)
            if tx.original_document_id:
                documents.add(tx.original_document_id)
    return documents
