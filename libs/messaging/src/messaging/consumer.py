"""Idempotent durable pull consumers (DESIGN.md section 4, STYLE.md example 6).

Per message: read the envelope, then in ONE transaction insert the inbox row (consumer, event id)
and apply the handler; commit; only then ack. A redelivery or a duplicate publish of the same
event finds its inbox row and changes nothing. The inbox, not the ack, makes effects exactly-once:
an ack can be lost, or (nats-server issue 4786) an ack sent after AckWait can ack a redelivery.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

import msgspec
import structlog
from canon.envelope import Envelope
from canon.errors import ValidationError
from canon.event_type import EventType
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from messaging import metrics
from messaging.dlq import DeadLetters
from messaging.schema import inbox
from messaging.topology import Topology

log = structlog.get_logger(__name__)

Payload = TypeVar("Payload", bound=msgspec.Struct)
Handler = Callable[[AsyncSession, Envelope, bytes], Awaitable[None]]
AfterCommit = Callable[[Envelope], Awaitable[None] | None]

# The server may deliver a few more times than the spec allows, so a delivery whose dead-lettering
# failed (NATS briefly unavailable) or that crashed the process is dead-lettered on a later delivery
# instead of being dropped by the server when max_deliver is reached.
SERVER_DELIVERY_MARGIN = 3
_DURABLE = re.compile(r"^[A-Za-z0-9_-]+$")


class PermanentError(Exception):
    """A business-rule or schema violation: retrying cannot help, so the message goes to the DLQ."""


class _UnfinishedAttempts(Exception):  # noqa: N818 - a signal to roll back, not an error
    """Earlier deliveries never settled the message (rolls the inbox row back)."""


@dataclass(frozen=True, slots=True)
class ConsumerSpec:
    """A durable consumer of one stream. Backoff delays apply to naks after transient failures;
    they are not sent as the consumer's server-side BackOff, which would replace AckWait by its
    first step and redeliver any message whose handler runs longer than that."""

    durable: str
    stream: str
    filter_subjects: tuple[str, ...] = ()
    max_deliver: int = 5
    ack_wait_s: float = 30.0
    backoff_s: tuple[float, ...] = (0.5, 2.0, 10.0)
    batch_size: int = 100

    def __post_init__(self) -> None:
        if not _DURABLE.match(self.durable):
            raise ValueError(f"durable must be letters, digits, _ or -, got {self.durable!r}")
        if self.max_deliver < 1 or self.batch_size < 1 or self.ack_wait_s <= 0 or not self.backoff_s:
            raise ValueError("max_deliver, batch_size, ack_wait_s must be positive and backoff_s non-empty")

    def nak_delay(self, num_delivered: int) -> float:
        return self.backoff_s[min(num_delivered, len(self.backoff_s)) - 1]


class ConsumerRunner:
    def __init__(
        self,
        js: JetStreamContext,
        session_factory: async_sessionmaker[AsyncSession],
        topology: Topology,
        spec: ConsumerSpec,
        handler: Handler,
        dead_letters: DeadLetters,
        after_commit: AfterCommit | None = None,
    ) -> None:
        self._js = js
        self._session_factory = session_factory
        self._topology = topology
        self.spec = spec
        self._handler = handler
        self._dead_letters = dead_letters
        self._after_commit = after_commit
        self._stream = topology.stream(spec.stream).name
        self._subscription: JetStreamContext.PullSubscription | None = None

    @property
    def bound(self) -> bool:
        return self._subscription is not None

    def consumer_config(self) -> ConsumerConfig:
        filters = [self._topology.subject(subject) for subject in self.spec.filter_subjects]
        return ConsumerConfig(
            durable_name=self.spec.durable,
            deliver_policy=DeliverPolicy.ALL,
            ack_policy=AckPolicy.EXPLICIT,
            ack_wait=self.spec.ack_wait_s,
            max_deliver=self.spec.max_deliver + SERVER_DELIVERY_MARGIN,
            # One filter works on every server; several need nats-server 2.10+.
            filter_subject=filters[0] if len(filters) == 1 else None,
            filter_subjects=filters if len(filters) > 1 else None,
        )

    async def bind(self) -> None:
        """Create the durable consumer, or update it to this spec (the server keeps its position)."""
        await self._js.add_consumer(self._stream, self.consumer_config())
        if self._subscription is None:
            self._subscription = await self._js.pull_subscribe_bind(
                durable=self.spec.durable, stream=self._stream
            )

    async def process_once(self, timeout_s: float = 1.0) -> int:
        """Fetch one batch and settle each message; returns how many were fetched."""
        if self._subscription is None:
            raise RuntimeError("bind() the consumer first")
        try:
            messages = await self._subscription.fetch(self.spec.batch_size, timeout=timeout_s)
        except TimeoutError:  # nats.errors.TimeoutError is a subclass; fetch raises both
            return 0
        for msg in messages:
            try:
                await self._settle(msg)
            except Exception:  # left unacked: redelivered after AckWait
                log.exception("consumer_settle_failed", consumer=self.spec.durable, subject=msg.subject)
        return len(messages)

    async def _settle(self, msg: Msg) -> None:
        durable = self.spec.durable
        deliveries = msg.metadata.num_delivered or 1
        if deliveries > 1:
            metrics.CONSUMER_REDELIVERED.labels(durable).inc()
        try:
            envelope = Envelope.from_headers(msg.headers or {})
        except ValidationError as error:
            await self._dead_letter(msg, f"invalid envelope: {error}", deliveries)
            return
        try:
            applied = await self._apply(envelope, msg.data, deliveries)
        except _UnfinishedAttempts:
            reason = f"retries exhausted after {deliveries - 1} deliveries: earlier attempts did not finish"
            await self._dead_letter(msg, reason, deliveries)
            return
        except PermanentError as error:
            await self._dead_letter(msg, f"permanent error: {error}", deliveries)
            return
        except Exception as error:
            await self._retry_or_dead_letter(msg, error, deliveries)
            return
        if self._after_commit is not None:
            result = self._after_commit(envelope)
            if inspect.isawaitable(result):
                await result
        await msg.ack()
        metrics.CONSUMER_PROCESSED.labels(durable, "applied" if applied else "duplicate").inc()

    async def _apply(self, envelope: Envelope, payload: bytes, deliveries: int) -> bool:
        """Inbox row and handler in one transaction; False when the event was already applied.

        A delivery beyond ``max_deliver`` that is not yet applied means earlier attempts crashed the
        process or outran AckWait: it is not tried again (a crash loop) but dead-lettered.
        """
        async with self._session_factory() as session, session.begin():
            first_time = await session.scalar(
                insert(inbox)
                .values(consumer=self.spec.durable, event_id=envelope.id)
                .on_conflict_do_nothing()
                .returning(inbox.c.event_id)
            )
            if first_time is None:
                return False
            if deliveries > self.spec.max_deliver:
                raise _UnfinishedAttempts
            await self._handler(session, envelope, payload)
        return True

    async def _retry_or_dead_letter(self, msg: Msg, error: Exception, deliveries: int) -> None:
        if deliveries >= self.spec.max_deliver:
            reason = f"retries exhausted after {deliveries} deliveries: {type(error).__name__}: {error}"
            await self._dead_letter(msg, reason, deliveries)
            return
        metrics.CONSUMER_RETRIED.labels(self.spec.durable).inc()
        log.warning("consumer_retry", consumer=self.spec.durable, deliveries=deliveries, error=repr(error))
        await msg.nak(delay=self.spec.nak_delay(deliveries))

    async def _dead_letter(self, msg: Msg, reason: str, deliveries: int) -> None:
        await self._dead_letters.send(msg, consumer=self.spec.durable, reason=reason, deliveries=deliveries)
        await msg.term()

    async def lag(self) -> int:
        """Messages not yet delivered to this consumer (also the ``messaging_consumer_lag`` gauge)."""
        info = await self._js.consumer_info(self._stream, self.spec.durable)
        metrics.CONSUMER_LAG.labels(self.spec.durable).set(info.num_pending or 0)
        return info.num_pending or 0

    async def run(self, stop: asyncio.Event, poll_s: float = 1.0, metrics_every_s: float = 5.0) -> None:
        """Process until ``stop`` is set; errors (e.g. NATS reconnecting) are logged and retried."""
        loop = asyncio.get_running_loop()
        next_metrics = loop.time()
        while not stop.is_set():
            try:
                if not self.bound:
                    await self.bind()
                await self.process_once(timeout_s=poll_s)
                if loop.time() >= next_metrics:
                    await self.lag()
                    next_metrics = loop.time() + metrics_every_s
            except Exception:
                log.exception("consumer_loop_failed", consumer=self.spec.durable)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), poll_s)


def typed_handler(
    event_type: EventType[Payload], fn: Callable[[AsyncSession, Envelope, Payload], Awaitable[None]]
) -> Handler:
    """A handler that decodes the payload strictly; a payload that does not match is permanent."""

    async def handle(session: AsyncSession, envelope: Envelope, payload: bytes) -> None:
        if envelope.type != event_type.type:
            raise PermanentError(f"expected event type {event_type.type}, got {envelope.type}")
        try:
            decoded = event_type.decode(payload)
        except ValidationError as error:
            raise PermanentError(f"payload does not match {event_type.type}: {error}") from error
        await fn(session, envelope, decoded)

    return handle
