"""Durable pull consumer of ``retail.inventory.movement_submitted.v1``: WMS, OMS and POS connectors
publish movements there. A batch of messages is recorded in ONE transaction with their inbox rows
(the messaging kit's ConsumerRunner does one transaction per message; that caps ingestion far below
what the database can take), then acked.

Per message: a broken envelope or payload, or a movement that breaks a rule, goes to the DLQ with the
record's field and reason; a movement naming a sku or node the master replica does not know yet is
retried with backoff (the replica may lag) and dead-lettered after ``max_deliver``; a redelivery, or
a movement whose idempotency key is recorded, changes nothing. A failed transaction naks the batch.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import Awaitable
from dataclasses import dataclass, field

import structlog
from canon.envelope import Envelope
from canon.errors import ValidationError
from canon.inventory import MOVEMENT_SUBMITTED
from messaging import metrics as messaging_metrics
from messaging.consumer import SERVER_DELIVERY_MARGIN, ConsumerSpec
from messaging.dlq import DeadLetters
from messaging.topology import Topology
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from inventory.adapters import metrics
from inventory.adapters.postgres.driver import driver_connection
from inventory.adapters.postgres.unit_of_work import PostgresUnitOfWork
from inventory.application.ports import ItemCosts
from inventory.application.use_cases.record_movements import RecordMovements, RecordOutcome, outcome_of
from inventory.application.use_cases.recording_batch import record_batch
from inventory.domain.movements import Movement

log = structlog.get_logger(__name__)

MOVEMENT_SUBJECT = MOVEMENT_SUBMITTED.subject
_INBOX_INSERT = """
INSERT INTO inbox (consumer, event_id) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING RETURNING event_id
"""
_INBOX_DELETE = "DELETE FROM inbox WHERE consumer = $1 AND event_id = ANY($2::text[])"
MOVEMENTS_SPEC = ConsumerSpec(
    durable="inventory_movements",
    stream="INVENTORY",
    # `.>` also takes partitioned subjects (`...movement_submitted.v1.<sku>`); one filter: NATS 2.9.
    filter_subjects=("retail.inventory.movement_submitted.>",),
    max_deliver=5,
    ack_wait_s=30.0,
    backoff_s=(1.0, 5.0, 15.0, 30.0),
    batch_size=250,
)


@dataclass
class _Delivery:
    msg: Msg
    envelope: Envelope
    deliveries: int


@dataclass
class _Turn:
    """A batch in flight, as the batch behind it sees it: that one may lock its positions once this
    one holds its own, write once this one has sent every write, and commit once this one has
    committed. So two batches overlap (one folds in Python while the other's statements run) and
    still take effect in stream order; a batch waits only on the one before it, which waits on
    nothing of it, so no cycle of waits can form."""

    locked: asyncio.Event = field(default_factory=asyncio.Event)
    wrote: asyncio.Event = field(default_factory=asyncio.Event)
    committed: asyncio.Future[bool] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )
    settled: asyncio.Event = field(default_factory=asyncio.Event)

    def release(self, committed: bool) -> None:
        """Let the batch behind go on; ``committed`` False makes it roll back and start again."""
        self.locked.set()
        self.wrote.set()
        if not self.committed.done():
            self.committed.set_result(committed)

    @property
    def failed(self) -> bool:
        return self.committed.done() and not self.committed.result()


class _PredecessorRolledBackError(Exception):
    """The batch before this one rolled back: this one must not commit ahead of it."""


@dataclass
class _Batch:
    """Fetched deliveries, the movements that decode and name known skus and nodes (by delivery
    index), and the rejections of the others."""

    deliveries: list[_Delivery]
    valid: list[tuple[int, Movement]]
    rejected: dict[int, RecordOutcome]


class MovementConsumer:
    name = MOVEMENTS_SPEC.durable

    def __init__(
        self,
        js: JetStreamContext,
        topology: Topology,
        uow: PostgresUnitOfWork,
        record_movements: RecordMovements,
        item_costs: ItemCosts,
        dead_letters: DeadLetters,
        spec: ConsumerSpec = MOVEMENTS_SPEC,
    ) -> None:
        self._js = js
        self._topology = topology
        self._uow = uow
        self._record_movements = record_movements
        self._item_costs = item_costs
        self._dead_letters = dead_letters
        self.spec = spec
        self._stream = topology.stream(spec.stream).name
        self._subscription: JetStreamContext.PullSubscription | None = None

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
            max_ack_pending=max(1000, self.spec.batch_size * 4),
            filter_subject=self._topology.subject(self.spec.filter_subjects[0]),
        )
        await self._js.add_consumer(self._stream, config)
        if self._subscription is None:
            self._subscription = await self._js.pull_subscribe_bind(
                durable=self.spec.durable, stream=self._stream
            )

    async def run(self, stop: asyncio.Event, poll_s: float = 1.0) -> None:
        """Batches in stream order (a movement's effect may depend on the one before: a shipment on
        its receipt), two in flight (see _Turn); the next batch is fetched and decoded meanwhile."""
        next_batch: asyncio.Task[_Batch] | None = None
        in_flight: asyncio.Task[None] | None = None
        previous: _Turn | None = None
        while not stop.is_set():
            try:
                if not self.bound:
                    await self.bind()
                batch = await (next_batch or self._fetch(poll_s))
                next_batch = asyncio.create_task(self._fetch(poll_s))
                if not batch.deliveries:
                    continue
                turn = _Turn()
                settling = asyncio.create_task(self._settle(batch, previous, turn))
                if in_flight is not None:
                    await in_flight  # never more than two
                await _either(turn.locked.wait(), settling)
                in_flight, previous = settling, turn
            except Exception:
                next_batch = None
                log.exception("movement_consumer_failed")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), poll_s)
        if in_flight is not None:
            await in_flight
        if next_batch is not None:
            next_batch.cancel()  # fetched messages not settled are redelivered after AckWait

    async def process_once(self, timeout_s: float = 1.0) -> int:
        """Fetch one batch and settle every message; returns how many were fetched."""
        batch = await self._fetch(timeout_s)
        if batch.deliveries:
            await self._settle(batch)
        return len(batch.deliveries)

    async def _fetch(self, timeout_s: float) -> _Batch:
        """The next batch, decoded; a broken envelope is dead-lettered here."""
        if self._subscription is None:
            raise RuntimeError("bind() the consumer first")
        try:
            messages = await self._subscription.fetch(self.spec.batch_size, timeout=timeout_s)
        except TimeoutError:
            return _Batch([], [], {})
        deliveries: list[_Delivery] = []
        for msg in messages:
            count = msg.metadata.num_delivered or 1
            if count > 1:
                messaging_metrics.CONSUMER_REDELIVERED.labels(self.name).inc()
            try:
                envelope = Envelope.from_headers(msg.headers or {})
                if envelope.type != MOVEMENT_SUBMITTED.type:
                    raise ValidationError(
                        "ce-type", f"expected {MOVEMENT_SUBMITTED.type}, got {envelope.type}"
                    )
            except ValidationError as error:
                await self._dead_letter(msg, f"invalid envelope: {error}", count)
                continue
            deliveries.append(_Delivery(msg, envelope, count))
        valid, rejected = await self._record_movements.decode_and_check([d.msg.data for d in deliveries])
        return _Batch(deliveries, valid, rejected)

    async def _settle(self, batch: _Batch, previous: _Turn | None = None, turn: _Turn | None = None) -> None:
        turn = turn or _Turn()
        try:
            await self._settle_in_turn(batch, previous, turn)
        except Exception:  # NATS gone while naking: the messages come back after AckWait
            log.exception("movement_batch_not_settled", messages=len(batch.deliveries))
        finally:
            turn.release(committed=False)  # no-op once committed
            turn.settled.set()

    async def _settle_in_turn(self, batch: _Batch, previous: _Turn | None, turn: _Turn) -> None:
        deliveries = batch.deliveries
        try:
            outcomes = await self._record_holding_order(batch, previous, turn)
        except Exception as error:  # still failing after the in-place retries: retry each message later
            log.warning("movement_batch_failed", error=repr(error), messages=len(deliveries))
            for delivery in deliveries:
                await self._retry_or_dead_letter(delivery, f"{type(error).__name__}: {error}")
            return
        settled: Counter[str] = Counter()
        for delivery, outcome in zip(deliveries, outcomes, strict=True):
            if outcome is None or outcome.status != "rejected":
                await delivery.msg.ack()
                settled["duplicate" if outcome is None else outcome.status] += 1
                continue
            reason = f"record {outcome.idempotency_key or '?'}: {outcome.field}: {outcome.reason}"
            if outcome.retryable:  # master data not replicated yet, or stock not received yet
                await self._retry_or_dead_letter(delivery, reason)
            else:
                metrics.MOVEMENTS.labels("nats", "rejected").inc()
                await self._dead_letter(delivery.msg, f"rejected: {reason}", delivery.deliveries)
        for status, count in settled.items():  # once per batch, not per message
            metrics.MOVEMENTS.labels("nats", status).inc(count)
            messaging_metrics.CONSUMER_PROCESSED.labels(
                self.name, "applied" if status == "accepted" else "duplicate"
            ).inc(count)

    async def _record_holding_order(
        self, batch: _Batch, previous: _Turn | None, turn: _Turn
    ) -> list[RecordOutcome | None]:
        """Record the batch, retrying it in place (after each backoff step, AckWait extended) when the
        transaction fails, e.g. while PostgreSQL restarts. Naking it at once would let the batches
        behind it commit first: a shipment redelivered after the receipt-consuming shipments that
        followed it in the stream then breaks the position and is dead-lettered (fault suite).
        The first attempt overlaps the batch before (``previous``); when it fails, the batch is
        recorded again once that one is settled, on its own."""
        if previous is not None and not previous.settled.is_set():
            try:
                return await self._record(batch, previous, turn)
            except Exception as error:
                turn.release(committed=False)
                if not isinstance(error, _PredecessorRolledBackError):
                    log.warning("movement_batch_retrying", error=repr(error), in_s=0)
                await previous.settled.wait()
        for delay in self.spec.backoff_s:
            try:
                return await self._record(batch, None, turn)
            except Exception as error:
                turn.release(committed=False)
                log.warning("movement_batch_retrying", error=repr(error), in_s=delay)
            await asyncio.sleep(delay)
            for delivery in batch.deliveries:
                with contextlib.suppress(Exception):  # NATS down too: redelivery keeps the order then
                    await delivery.msg.in_progress()
        return await self._record(batch, None, turn)

    async def _record(
        self, batch: _Batch, previous: _Turn | None = None, turn: _Turn | None = None
    ) -> list[RecordOutcome | None]:
        """Outcome per delivery; None for an event this consumer had applied already (inbox)."""
        deliveries, valid, outcomes = batch.deliveries, batch.valid, dict(batch.rejected)
        ids = {deliveries[index].envelope.id for index, _ in valid}

        async def after_previous_wrote() -> None:
            if previous is not None:
                await previous.wrote.wait()

        async with self._uow as uow:
            connection = await driver_connection(uow.session)
            if previous is not None:
                await previous.locked.wait()
                if previous.failed:
                    raise _PredecessorRolledBackError
            fresh: set[str] = set()
            if ids:
                rows = await connection.fetch(_INBOX_INSERT, self.name, sorted(ids))
                fresh = {row[0] for row in rows}
            first_of_id: dict[str, int] = {}
            for index, delivery in enumerate(deliveries):
                first_of_id.setdefault(delivery.envelope.id, index)
            to_record = [
                (index, movement)
                for index, movement in valid
                if deliveries[index].envelope.id in fresh
                and first_of_id[deliveries[index].envelope.id] == index
            ]
            results = await record_batch(
                uow,
                [movement for _, movement in to_record],
                self._item_costs,
                on_locked=turn.locked.set if turn is not None else None,
                before_writes=after_previous_wrote,
            )
            result_outcomes = {
                index: outcome_of(index, movement.idempotency_key, result)
                for (index, movement), result in zip(to_record, results, strict=True)
            }
            outcomes.update(result_outcomes)
            rejected_ids = [
                deliveries[index].envelope.id
                for index, o in result_outcomes.items()
                if o.status == "rejected"
            ]
            await after_previous_wrote()
            if rejected_ids:  # not applied: a replay from the DLQ must be able to apply it
                await connection.execute(_INBOX_DELETE, self.name, rejected_ids)
            await uow.write_outbox()
            if turn is not None:
                turn.wrote.set()
            if previous is not None and not await previous.committed:
                raise _PredecessorRolledBackError
            await uow.commit()
        if turn is not None:
            turn.release(committed=True)
        return [outcomes.get(index) for index in range(len(deliveries))]

    async def _retry_or_dead_letter(self, delivery: _Delivery, reason: str) -> None:
        if delivery.deliveries >= self.spec.max_deliver:
            reason = f"retries exhausted after {delivery.deliveries} deliveries: {reason}"
            await self._dead_letter(delivery.msg, reason, delivery.deliveries)
            return
        messaging_metrics.CONSUMER_RETRIED.labels(self.name).inc()
        await delivery.msg.nak(delay=self.spec.nak_delay(delivery.deliveries))

    async def _dead_letter(self, msg: Msg, reason: str, deliveries: int) -> None:
        await self._dead_letters.send(msg, consumer=self.name, reason=reason, deliveries=deliveries)
        await msg.term()

    async def lag(self) -> int:
        info = await self._js.consumer_info(self._stream, self.spec.durable)
        messaging_metrics.CONSUMER_LAG.labels(self.name).set(info.num_pending or 0)
        return info.num_pending or 0


async def _either(first: Awaitable[object], second: asyncio.Task[None]) -> None:
    """Until ``first`` is done or ``second`` has finished."""
    waiting = asyncio.ensure_future(first)
    try:
        await asyncio.wait({waiting, second}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        waiting.cancel()
