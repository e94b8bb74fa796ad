"""Transactional outbox (DESIGN.md section 4): events are rows written with the state change, and
a relay publishes them. The outbox, not the stream, is the record of what a service emitted."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

import structlog
from canon.envelope import Envelope
from sqlalchemy import ColumnElement, Row, and_, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from messaging import metrics
from messaging.publisher import Publisher, event_subject
from messaging.schema import outbox

log = structlog.get_logger(__name__)

AfterPublish = Callable[[int], Awaitable[None] | None]


async def add_to_outbox(
    session: AsyncSession, envelope: Envelope, payload: bytes, *, subject: str | None = None
) -> None:
    """Queue an event in the caller's transaction; adding the same event id again is a no-op."""
    statement = insert(outbox).values(
        event_id=envelope.id,
        subject=event_subject(envelope, subject),
        headers=envelope.to_headers(),
        payload=payload,
    )
    await session.execute(statement.on_conflict_do_nothing(index_elements=[outbox.c.event_id]))


class OutboxRelay:
    """Publishes unpublished rows in sequence order, then marks them.

    Publish first, mark after, in that order: a crash in between republishes the rows, and
    JetStream's duplicate window (``Nats-Msg-Id`` = event id) or the consumers' inboxes drop them.
    Rows are locked ``FOR UPDATE SKIP LOCKED`` so two relays never publish the same row at once
    (run one relay per service to keep the order of the whole outbox).
    """

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        publisher: Publisher,
        batch_size: int = 500,
        idle_poll_s: float = 0.2,
        after_publish: AfterPublish | None = None,
        in_flight: int = 64,
    ) -> None:
        self._session_factory = session_factory
        self._publisher = publisher
        self._batch_size = batch_size
        self._idle_poll_s = idle_poll_s
        self._after_publish = after_publish
        self._in_flight = in_flight

    async def run_once(self) -> int:
        """Publish one batch; returns how many rows were published and marked."""
        published: list[int] = []
        failure: Exception | None = None
        async with self._session_factory() as session, session.begin():
            rows = (
                await session.execute(
                    select(outbox.c.seq, outbox.c.subject, outbox.c.headers, outbox.c.payload)
                    .where(outbox.c.published_at.is_(None))
                    .order_by(outbox.c.seq)
                    .limit(self._batch_size)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            for start in range(0, len(rows), self._in_flight):
                window = rows[start : start + self._in_flight]
                # Pipelined: the window's publishes go out in seq order on one connection and their
                # acks are awaited together. Only the unbroken prefix of acks is marked, so a failure
                # never leaves a later row marked ahead of an earlier one.
                acks = await asyncio.gather(
                    *(self._publisher.publish_raw(row.subject, row.headers, row.payload) for row in window),
                    return_exceptions=True,
                )
                for row, ack in zip(window, acks, strict=True):
                    if isinstance(ack, BaseException):
                        failure = ack if isinstance(ack, Exception) else RuntimeError(repr(ack))
                        break
                    published.append(row.seq)
                    await self._call_after_publish(row.seq)
                if failure is not None:  # NATS unavailable: keep what was published, retry later
                    break
            if published:
                await session.execute(
                    update(outbox).where(outbox.c.seq.in_(published)).values(published_at=func.now())
                )
        metrics.OUTBOX_PUBLISHED.inc(len(published))
        if failure is not None:
            raise failure
        return len(published)

    async def _call_after_publish(self, seq: int) -> None:
        if self._after_publish is not None:
            result = self._after_publish(seq)
            if inspect.isawaitable(result):
                await result

    async def run(self, stop: asyncio.Event, metrics_every_s: float = 5.0) -> None:
        """Relay until ``stop`` is set; a failed batch is logged and retried after a pause."""
        loop = asyncio.get_running_loop()
        next_metrics = loop.time()
        while not stop.is_set():
            try:
                published = await self.run_once()
                if loop.time() >= next_metrics:
                    await self.backlog()
                    next_metrics = loop.time() + metrics_every_s
            except Exception:
                log.exception("outbox_relay_failed")
                published = 0
            if published < self._batch_size:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self._idle_poll_s)

    async def backlog(self) -> int:
        """Rows not yet published (also exported as the ``messaging_outbox_backlog`` gauge)."""
        async with self._session_factory() as session:
            count = await session.scalar(
                select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
            )
        metrics.OUTBOX_BACKLOG.set(count or 0)
        return count or 0

    async def republish(self, *, from_seq: int | None = None, since: datetime | None = None) -> int:
        """Publish again the already-published rows from ``from_seq`` and/or created ``since``.

        For when the stream lost acknowledged writes (DESIGN.md section 4). Duplicates inside
        the dedupe window are dropped by JetStream, later ones by consumers' inboxes.
        """
        if from_seq is None and since is None:
            raise ValueError("republish needs from_seq or since")
        conditions: list[ColumnElement[bool]] = [outbox.c.published_at.is_not(None)]
        if from_seq is not None:
            conditions.append(outbox.c.seq >= from_seq)
        if since is not None:
            conditions.append(outbox.c.created_at >= since)
        count, after_seq = 0, 0
        while rows := await self._published_page(conditions, after_seq):
            for row in rows:
                await self._publisher.publish_raw(row.subject, row.headers, row.payload)
            count += len(rows)
            after_seq = rows[-1].seq
        log.info("outbox_republished", rows=count, from_seq=from_seq, since=since)
        return count

    async def _published_page(
        self, conditions: list[ColumnElement[bool]], after_seq: int
    ) -> Sequence[Row[Any, Any, Any, Any]]:
        async with self._session_factory() as session:
            result = await session.execute(
                select(outbox.c.seq, outbox.c.subject, outbox.c.headers, outbox.c.payload)
                .where(and_(*conditions, outbox.c.seq > after_seq))
                .order_by(outbox.c.seq)
                .limit(self._batch_size)
            )
            return result.all()

    async def purge_published(self, older_than: timedelta) -> int:
        """Delete rows published more than ``older_than`` ago (the retention window ends)."""
        async with self._session_factory() as session, session.begin():
            result = await session.execute(
                outbox.delete().where(outbox.c.published_at < func.now() - older_than)
            )
        return int(result.rowcount)  # type: ignore[attr-defined]
