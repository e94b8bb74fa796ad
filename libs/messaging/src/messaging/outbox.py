"""Transactional outbox (DESIGN.md section 4): events are rows written with the state change, and
a relay publishes them. The outbox, not the stream, is the record of what a service emitted."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
import re
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

import asyncpg
import structlog
from canon.envelope import Envelope
from nats.aio.client import Client as NatsClient
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from sqlalchemy import ColumnElement, Row, and_, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from messaging import metrics
from messaging.publisher import Publisher, event_subject
from messaging.schema import outbox

log = structlog.get_logger(__name__)

AfterPublish = Callable[[int], Awaitable[None] | None]
# (seq, canonical subject, headers, payload)
_OutboxRow = tuple[int, str, dict[str, str], bytes]

# The library's own table (messaging.schema.outbox), read and marked with the driver: one prepared
# statement each, no SQLAlchemy row or JSON processing per event.
_READ = (
    f"SELECT seq, subject, headers::text, payload FROM {outbox.name} WHERE published_at IS NULL"
    " ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED"
)
_MARK = f"UPDATE {outbox.name} SET published_at = now() WHERE seq = ANY($1::bigint[])"
_decode_headers = json.JSONDecoder().decode


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


_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")  # nats-py's check of a header name
_UNSAFE_SUBJECT = re.compile(r"[ \t\r\n]")  # nats-py's check of a subject
_known_names: set[str] = set()


def hpub_frame(
    subject: str, reply: str, headers: dict[str, str], payload: bytes, max_payload: int
) -> bytes | None:
    """The HPUB frame ``nc.publish`` would queue for the message, or None when ``nc.publish`` must
    handle it: a header it would clean or refuse (a name that is not a token, a value with
    surrounding blanks or a line break), a subject it would refuse, a message over ``max_payload``."""
    if _UNSAFE_SUBJECT.search(subject) or _UNSAFE_SUBJECT.search(reply):
        return None
    lines = []
    for name, value in headers.items():
        if name not in _known_names:
            if not _HEADER_NAME.fullmatch(name):
                return None
            if len(_known_names) < 1024:
                _known_names.add(name)
        if "\r" in value or "\n" in value or value != value.strip():
            return None
        lines.append(f"{name}: {value}\r\n")
    block = f"NATS/1.0\r\n{''.join(lines)}\r\n".encode()
    size = len(block)
    total = size + len(payload)
    if total > max_payload:
        return None
    return b"".join((f"HPUB {subject} {reply} {size} {total}\r\n".encode(), block, payload, b"\r\n"))


def _frames_supported(client: NatsClient) -> bool:
    """Whether the client has the internals the hand-built frames are queued with (nats-py 2.x)."""
    return all(
        callable(getattr(client, name, None)) for name in ("_send_command", "_flush_pending")
    ) and hasattr(client, "_flush_queue")


class OutboxPublishError(Exception):
    """JetStream refused or did not acknowledge an outbox row in time (or NATS failed under it)."""


class _Acks:
    """The acks one window of rows is waiting for, by outbox seq."""

    __slots__ = ("done", "failed", "waiting")

    def __init__(self, seqs: Sequence[int]) -> None:
        self.waiting = set(seqs)
        self.failed: dict[int, str] = {}
        self.done = asyncio.Event()
        if not self.waiting:
            self.done.set()

    def receive(self, seq: int, msg: Msg) -> None:
        if seq not in self.waiting:
            return
        self.waiting.discard(seq)
        reason = _refusal(msg)
        if reason is not None:
            self.failed[seq] = reason
        if not self.waiting:
            self.done.set()

    def acked_prefix(self, seqs: Sequence[int]) -> tuple[list[int], OutboxPublishError | None]:
        """The unbroken prefix of stored rows, and why the row after it was not (if one was not)."""
        acked: list[int] = []
        for seq in seqs:
            if seq in self.waiting or seq in self.failed:
                reason = self.failed.get(seq, "no ack in time")
                return acked, OutboxPublishError(f"outbox row {seq}: {reason}")
            acked.append(seq)
        return acked, None


def _refusal(msg: Msg) -> str | None:
    """None for a PubAck (a duplicate inside the window included), else why it was not stored."""
    headers = msg.headers
    if headers and headers.get("Status"):  # e.g. 503 no responders: no stream takes the subject
        return f"status {headers['Status']}: {headers.get('Description', '')}".strip()
    try:
        ack = json.loads(msg.data)
    except ValueError:
        return f"unreadable ack {msg.data[:80]!r}"
    if not isinstance(ack, dict) or "error" in ack or "seq" not in ack:
        return f"refused: {ack.get('error') if isinstance(ack, dict) else ack!r}"
    return None


class OutboxRelay:
    """Publishes unpublished rows in sequence order, then marks them.

    Publish first, mark after, in that order: a crash in between republishes the rows, and
    JetStream's duplicate window (``Nats-Msg-Id`` = event id) or the consumers' inboxes drop them.
    Rows are locked ``FOR UPDATE SKIP LOCKED`` so two relays never publish the same row at once
    (run one relay per service to keep the order of the whole outbox).

    A batch (``batch_size`` rows, read with the session's asyncpg connection) is published at once,
    in seq order on one connection, each row a core NATS publish whose reply subject is
    ``<inbox>.<window>.<seq>`` under ONE wildcard subscription of the relay, and the acks are
    awaited together (``in_flight`` limits how many rows are out before waiting, default the whole
    batch). Only the unbroken prefix of acknowledged rows is marked, so a failure (a refusal, a
    503 when no stream takes the subject, no ack within the publisher's timeout) never leaves a
    later row marked ahead of an earlier one; the batch then raises :class:`OutboxPublishError`.
    No JetStream request per row (inbox token, future, timer, PubAck object).

    Private nats-py API, on purpose: with ``hand_built_frames`` (default) the HPUB frame is built
    here and queued with ``Client._send_command`` (see :meth:`_publish_frame`), because
    ``nc.publish`` re-validates and re-encodes every header of every message: measured with
    ``retail-sync bench outbox-relay`` (nats-py 2.16, 2 cores under load), 22-26 µs of CPU per
    event against 31-42 µs with ``nc.publish`` (1.4-1.9x), and 69-103 µs with a JetStream request
    per row; ``hand_built_frames=False`` turns it off. Safe fallback: a client
    without those internals, a header or subject nats-py would clean or refuse, a large payload or
    a connection that is not up go through the public ``nc.publish``. The client comes from
    :attr:`Publisher.client`; without one, each row is a ``Publisher.publish_raw`` request,
    pipelined ``in_flight`` at a time.
    """

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        publisher: Publisher,
        batch_size: int = 1000,
        idle_poll_s: float = 0.2,
        after_publish: AfterPublish | None = None,
        in_flight: int | None = None,
        ack_timeout_s: float | None = None,
        hand_built_frames: bool = True,
    ) -> None:
        self._session_factory = session_factory
        self._publisher = publisher
        self._batch_size = batch_size
        self._idle_poll_s = idle_poll_s
        self._after_publish = after_publish
        self._in_flight = in_flight
        self._ack_timeout_s = publisher.timeout_s if ack_timeout_s is None else ack_timeout_s
        self._client = publisher.client
        self._frames = hand_built_frames and self._client is not None and _frames_supported(self._client)
        self._topology = publisher.topology
        self._reply_prefix = ""
        self._subscription: Subscription | None = None
        self._windows: dict[int, _Acks] = {}
        self._next_window = 0

    async def run_once(self) -> int:
        """Publish one batch; returns how many rows were published and marked."""
        published: list[int] = []
        failure: Exception | None = None
        async with self._session_factory() as session:
            connection = await _driver_connection(session)
            async with connection.transaction():
                rows = [
                    (seq, subject, _decode_headers(headers), payload)
                    for seq, subject, headers, payload in await connection.fetch(_READ, self._batch_size)
                ]
                window = self._in_flight or len(rows) or 1
                for start in range(0, len(rows), window):
                    acked, failure = await self._publish_rows(rows[start : start + window])
                    for seq in acked:
                        published.append(seq)
                        await self._call_after_publish(seq)
                    if failure is not None:  # NATS unavailable: keep what was published, retry later
                        break
                if published:
                    await connection.execute(_MARK, published)
        metrics.OUTBOX_PUBLISHED.inc(len(published))
        if failure is not None:
            raise failure
        return len(published)

    async def _publish_rows(self, rows: Sequence[_OutboxRow]) -> tuple[list[int], Exception | None]:
        """Publish the rows at once and wait for their acks: the unbroken prefix of acknowledged
        seqs, and the failure that ended it (None when every row was stored)."""
        if self._client is None:
            return await self._publish_rows_as_requests(rows)
        if self._subscription is None:
            self._reply_prefix = self._client.new_inbox()
            self._subscription = await self._client.subscribe(f"{self._reply_prefix}.*.*", cb=self._on_ack)
        window = self._next_window
        self._next_window += 1
        seqs = [row[0] for row in rows]
        acks = self._windows[window] = _Acks(seqs)
        failure: Exception | None = None
        try:
            reply = f"{self._reply_prefix}.{window}."
            publish = self._publish_frame if self._frames else self._client.publish
            subject = self._topology.subject
            for seq, canonical, headers, payload in rows:
                await publish(subject(canonical), payload, reply=f"{reply}{seq}", headers=headers)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(acks.done.wait(), self._ack_timeout_s)
        except Exception as error:  # NATS unavailable: mark what was acknowledged, retry later
            failure = OutboxPublishError(f"{type(error).__name__}: {error}")
        finally:
            del self._windows[window]  # a late ack of this window is ignored
        acked, refused = acks.acked_prefix(seqs)
        return acked, failure or refused

    async def _publish_frame(self, subject: str, payload: bytes, reply: str, headers: dict[str, str]) -> None:
        """``nc.publish``, with the HPUB frame built here in one go: nc.publish re-validates and
        re-encodes every header of every message, about half of the relay's CPU per event. The
        frame is queued as nc.publish queues it (``_send_command``, then the flusher is woken);
        anything unusual goes through nc.publish itself."""
        client = self._client
        assert client is not None
        frame = (
            hpub_frame(subject, reply, headers, payload, client.max_payload) if client.is_connected else None
        )
        if frame is None:
            await client.publish(subject, payload, reply=reply, headers=headers)
            return
        client.stats["out_msgs"] += 1
        client.stats["out_bytes"] += len(payload)
        await client._send_command(frame)
        if client._flush_queue is not None and client._flush_queue.empty():
            await client._flush_pending()

    async def _publish_rows_as_requests(
        self, rows: Sequence[_OutboxRow]
    ) -> tuple[list[int], Exception | None]:
        publish = self._publisher.publish_raw
        acks = await asyncio.gather(
            *(publish(subject, headers, payload) for _, subject, headers, payload in rows),
            return_exceptions=True,
        )
        acked: list[int] = []
        for (seq, *_), ack in zip(rows, acks, strict=True):
            if isinstance(ack, BaseException):
                return acked, OutboxPublishError(f"outbox row {seq}: {type(ack).__name__}: {ack}")
            acked.append(seq)
        return acked, None

    async def _on_ack(self, msg: Msg) -> None:
        try:
            _, window, seq = msg.subject.rsplit(".", 2)
            acks = self._windows.get(int(window))
            if acks is not None:
                acks.receive(int(seq), msg)
        except ValueError:
            return

    async def close(self) -> None:
        """Drop the relay's reply subscription (``run`` does it when it stops)."""
        if self._subscription is not None:
            with contextlib.suppress(Exception):
                await self._subscription.unsubscribe()
            self._subscription = None

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
        await self.close()

    async def watch_backlog(self, stop: asyncio.Event, every_s: float = 5.0) -> None:
        """Keep the backlog gauge up to date without publishing: for the process serving /metrics
        when the relay itself runs in another process."""
        while not stop.is_set():
            try:
                await self.backlog()
            except Exception:
                log.exception("outbox_backlog_failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), every_s)

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
        while page := await self._published_page(conditions, after_seq):
            rows = [(row.seq, row.subject, row.headers, row.payload) for row in page]
            window = self._in_flight or len(rows)
            for start in range(0, len(rows), window):
                _, failure = await self._publish_rows(rows[start : start + window])
                if failure is not None:
                    raise failure
            count += len(rows)
            after_seq = rows[-1][0]
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


async def _driver_connection(session: AsyncSession) -> asyncpg.Connection:
    """The asyncpg connection the session checked out. The relay runs its transaction on it
    directly: SQLAlchemy's adapter begins lazily, with its first statement, and has none to end."""
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    driver = raw.driver_connection
    if not isinstance(driver, asyncpg.Connection):
        raise TypeError(f"the outbox relay needs an asyncpg engine, not {type(driver).__name__}")
    return driver
