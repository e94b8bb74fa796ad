"""Dead letters (DESIGN.md section 4): what a consumer could not process, with the reason, the
original subject and every original header, so nothing is dropped silently and it can be replayed."""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from datetime import UTC, datetime

import structlog
from canon.envelope import NATS_MSG_ID
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import RawStreamMsg
from nats.js.errors import NotFoundError

from messaging import metrics
from messaging.topology import DLQ, Topology

log = structlog.get_logger(__name__)

REASON = "dlq-reason"
ORIGINAL_SUBJECT = "dlq-original-subject"
CONSUMER = "dlq-consumer"
DELIVERIES = "dlq-deliveries"
FAILED_AT = "dlq-failed-at"
_MAX_REASON = 2000


class DeadLetterNotFoundError(LookupError):
    def __init__(self, seq: int) -> None:
        super().__init__(f"no dead letter at DLQ sequence {seq}")
        self.seq = seq


@dataclass(frozen=True, slots=True)
class DeadLetter:
    seq: int
    consumer: str
    reason: str
    original_subject: str
    event_id: str | None
    deliveries: int
    failed_at: str
    headers: dict[str, str]
    data: bytes

    @classmethod
    def from_stream(cls, raw: RawStreamMsg) -> DeadLetter:
        headers = dict(raw.headers or {})
        lower = {name.lower(): value for name, value in headers.items()}
        return cls(
            seq=raw.seq or 0,
            consumer=lower.get(CONSUMER, ""),
            reason=lower.get(REASON, ""),
            original_subject=lower.get(ORIGINAL_SUBJECT, ""),
            event_id=lower.get("ce-id"),
            deliveries=int(lower.get(DELIVERIES, "0")),
            failed_at=lower.get(FAILED_AT, ""),
            headers=headers,
            data=raw.data or b"",
        )

    def original_headers(self) -> dict[str, str]:
        """The headers the message had before it was dead-lettered (without its Nats-Msg-Id)."""
        added = {REASON, ORIGINAL_SUBJECT, CONSUMER, DELIVERIES, FAILED_AT, NATS_MSG_ID.lower()}
        return {name: value for name, value in self.headers.items() if name.lower() not in added}


def _header_safe(text: str) -> str:
    """A header value must be one line; long reasons (tracebacks) are cut."""
    return " ".join(text.split())[:_MAX_REASON] or "(no reason given)"


class DeadLetters:
    def __init__(self, js: JetStreamContext, topology: Topology) -> None:
        self._js = js
        self._topology = topology
        self._stream = topology.stream(DLQ).name

    async def send(self, msg: Msg, *, consumer: str, reason: str, deliveries: int) -> None:
        """Dead-letter ``msg``; its Nats-Msg-Id is derived from the original stream position, so
        sending the same delivery twice (e.g. the term was lost) stores it once."""
        metadata = msg.metadata
        headers: dict[str, str] = dict(msg.headers or {})
        headers.pop(NATS_MSG_ID, None)
        headers[REASON] = _header_safe(reason)
        headers[ORIGINAL_SUBJECT] = self._topology.strip(msg.subject)
        headers[CONSUMER] = consumer
        headers[DELIVERIES] = str(deliveries)
        headers[FAILED_AT] = datetime.now(UTC).isoformat().replace("+00:00", "Z")
        headers[NATS_MSG_ID] = f"dlq:{consumer}:{metadata.stream}:{metadata.sequence.stream}"
        await self._js.publish(self._topology.dlq_subject(consumer), msg.data, headers=headers)
        metrics.CONSUMER_DEAD_LETTERED.labels(consumer).inc()
        log.warning("dead_lettered", consumer=consumer, subject=headers[ORIGINAL_SUBJECT], reason=reason)

    async def list(self, limit: int = 100, *, consumer: str | None = None) -> builtins.list[DeadLetter]:
        """The oldest ``limit`` dead letters (of one consumer if given)."""
        subject = self._topology.dlq_subject(consumer) if consumer else self._topology.subject("retail.dlq.>")
        letters: builtins.list[DeadLetter] = []
        cursor = 1
        while len(letters) < limit:
            try:
                raw = await self._js.get_msg(self._stream, seq=cursor, subject=subject, next=True)
            except NotFoundError:
                break
            letters.append(DeadLetter.from_stream(raw))
            cursor = (raw.seq or cursor) + 1
        return letters

    async def get(self, seq: int) -> DeadLetter:
        try:
            return DeadLetter.from_stream(await self._js.get_msg(self._stream, seq=seq))
        except NotFoundError:
            raise DeadLetterNotFoundError(seq) from None

    async def replay(self, seq: int) -> None:
        """Publish the dead letter again to its original subject, then delete it from the DLQ.

        ``Nats-Msg-Id`` = ``<event id>:replay:<seq>`` so JetStream does not drop it as a duplicate of
        the original; consumers that already applied the event skip it by their inbox (event id).
        """
        letter = await self.get(seq)
        headers = letter.original_headers()
        headers[NATS_MSG_ID] = f"{letter.event_id or 'no-event-id'}:replay:{seq}"
        await self._js.publish(self._topology.subject(letter.original_subject), letter.data, headers=headers)
        await self._js.delete_msg(self._stream, seq)
        log.info("dead_letter_replayed", seq=seq, subject=letter.original_subject, event_id=letter.event_id)

    async def depth(self) -> int:
        """Messages waiting in the DLQ (also the ``messaging_dlq_depth`` gauge)."""
        info = await self._js.stream_info(self._stream)
        depth = info.state.messages
        metrics.DLQ_DEPTH.set(depth)
        return depth
