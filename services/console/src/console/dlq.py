"""The console's own small DLQ API over NATS (`messaging.dlq.DeadLetters`): list, depth, replay.

NATS is reached lazily, so the page works (with the DLQ panel showing the error) while NATS is down.
"""

from __future__ import annotations

import asyncio
import contextlib

import msgspec
import nats
from messaging.dlq import DeadLetter, DeadLetters
from messaging.topology import Topology
from nats.aio.client import Client as NatsClient
from nats.js.errors import NotFoundError

from console.errors import UpstreamError

PREVIEW_CHARS = 4000


class DeadLetterView(msgspec.Struct, frozen=True, kw_only=True):
    seq: int
    consumer: str
    reason: str
    original_subject: str
    event_id: str | None
    deliveries: int
    failed_at: str
    event_type: str | None
    payload_preview: str


class DeadLetterList(msgspec.Struct, frozen=True, kw_only=True):
    depth: int
    letters: list[DeadLetterView]


def letter_view(letter: DeadLetter) -> DeadLetterView:
    lower = {name.lower(): value for name, value in letter.headers.items()}
    return DeadLetterView(
        seq=letter.seq,
        consumer=letter.consumer,
        reason=letter.reason,
        original_subject=letter.original_subject,
        event_id=letter.event_id,
        deliveries=letter.deliveries,
        failed_at=letter.failed_at,
        event_type=lower.get("ce-type"),
        payload_preview=letter.data.decode("utf-8", errors="replace")[:PREVIEW_CHARS],
    )


async def _quiet(error: Exception) -> None:
    """Connection errors surface as the DLQ panel's problem, not as log noise."""


class DeadLetterGateway:
    def __init__(self, nats_url: str, topology: Topology, connect_timeout_s: float = 2.0) -> None:
        self._nats_url = nats_url
        self._topology = topology
        self._connect_timeout_s = connect_timeout_s
        self._client: NatsClient | None = None
        self._lock = asyncio.Lock()

    async def _dead_letters(self) -> DeadLetters:
        """A connection made on demand and again after it dropped (no endless reconnect loop: a
        request while NATS is down fails fast and the panel says so)."""
        async with self._lock:
            if self._client is None or not self._client.is_connected:
                if self._client is not None:
                    with contextlib.suppress(Exception):
                        await self._client.close()
                    self._client = None
                try:
                    self._client = await nats.connect(
                        self._nats_url,
                        connect_timeout=self._connect_timeout_s,
                        allow_reconnect=False,
                        max_reconnect_attempts=1,  # bounds the initial attempts too (else endless)
                        reconnect_time_wait=0.2,
                        error_cb=_quiet,
                    )
                except Exception as error:
                    raise UpstreamError("nats", f"cannot reach NATS ({type(error).__name__})") from None
            return DeadLetters(self._client.jetstream(), self._topology)

    async def list(self, limit: int, consumer: str | None = None) -> DeadLetterList:
        dead_letters = await self._dead_letters()
        try:
            letters = await dead_letters.list(limit, consumer=consumer)
            depth = await dead_letters.depth()
        except NotFoundError:
            raise UpstreamError(
                "nats", "there is no DLQ stream: the services have not provisioned it"
            ) from None
        return DeadLetterList(depth=depth, letters=[letter_view(x) for x in letters])

    async def refresh_depth(self, stop: asyncio.Event, every_s: float = 30.0) -> None:
        """Keep the `messaging_dlq_depth` gauge of the console's /metrics current (for the DLQ alert);
        NATS being down is logged by nobody here: the panel shows it."""
        while not stop.is_set():
            with contextlib.suppress(Exception):
                await (await self._dead_letters()).depth()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), every_s)

    async def replay(self, seq: int) -> None:
        """Raises messaging.dlq.DeadLetterNotFoundError when there is no letter at `seq`."""
        await (await self._dead_letters()).replay(seq)

    async def close(self) -> None:
        if self._client is not None and not self._client.is_closed:
            await self._client.drain()
        self._client = None
