"""Replay a stream from a sequence or a time to rebuild read models (DESIGN.md section 4).

Reads with an ephemeral pull consumer (no acks, removed afterwards) up to the messages the stream
held when the replay started. Like an ordered consumer it checks that consumer sequences have no
gap; instead of silently resuming past a lost batch it raises, so a rebuild is never short.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

import structlog
from canon.envelope import Envelope
from canon.errors import ValidationError
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from messaging.topology import Topology

log = structlog.get_logger(__name__)

ReplayHandler = Callable[[Envelope, bytes, int], Awaitable[None]]


class ReplayIncompleteError(RuntimeError):
    """The replay could not read every message it set out to (gap, lost batch or expired data)."""


def _start(start_seq: int | None, start_time: datetime | None) -> dict[str, object]:
    if start_seq is not None and start_time is not None:
        raise ValueError("give start_seq or start_time, not both")
    if start_seq is not None:
        if start_seq < 1:
            raise ValueError(f"start_seq must be >= 1, got {start_seq}")
        return {"deliver_policy": DeliverPolicy.BY_START_SEQUENCE, "opt_start_seq": start_seq}
    if start_time is not None:
        if start_time.tzinfo is None:
            raise ValueError("start_time must be timezone-aware")
        return {"deliver_policy": DeliverPolicy.BY_START_TIME, "opt_start_time": start_time}
    return {"deliver_policy": DeliverPolicy.ALL}


async def replay_stream(
    js: JetStreamContext,
    topology: Topology,
    stream: str,
    handler: ReplayHandler,
    *,
    start_seq: int | None = None,
    start_time: datetime | None = None,
    filter_subject: str | None = None,
    batch_size: int = 256,
    fetch_timeout_s: float = 5.0,
) -> int:
    """Call ``handler(envelope, payload, stream_seq)`` for each message of the canonical ``stream``
    from ``start_seq`` / ``start_time`` (else the beginning) in stream order; returns the count."""
    stream_name = topology.stream(stream).name
    config = ConsumerConfig(
        ack_policy=AckPolicy.NONE,
        filter_subject=topology.subject(filter_subject) if filter_subject else None,
        inactive_threshold=60.0,
        **_start(start_seq, start_time),  # type: ignore[arg-type]
    )
    info = await js.add_consumer(stream_name, config)
    target = info.num_pending or 0
    subscription = await js.pull_subscribe_bind(consumer=info.name, stream=stream_name)
    seen = handled = 0
    try:
        while seen < target:
            try:
                messages = await subscription.fetch(min(batch_size, target - seen), timeout=fetch_timeout_s)
            except TimeoutError:  # nats.errors.TimeoutError is a subclass; fetch raises both
                raise ReplayIncompleteError(f"{stream_name}: read {seen} of {target} messages") from None
            for msg in messages:
                seen += 1
                if msg.metadata.sequence.consumer != seen:
                    raise ReplayIncompleteError(f"{stream_name}: gap before consumer sequence {seen}")
                try:
                    envelope = Envelope.from_headers(msg.headers or {})
                except ValidationError as error:  # live consumers dead-lettered it: skip it here too
                    log.warning("replay_skipped_invalid", stream=stream_name, error=str(error))
                    continue
                await handler(envelope, msg.data, msg.metadata.sequence.stream)
                handled += 1
    finally:
        await subscription.unsubscribe()
        await js.delete_consumer(stream_name, info.name)
    return handled
