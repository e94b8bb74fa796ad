"""Publish an enveloped event to JetStream, de-duplicated by event id."""

from __future__ import annotations

from canon.envelope import Envelope
from nats.aio.client import Client as NatsClient
from nats.js import JetStreamContext
from nats.js.api import PubAck

from messaging.topology import Topology


def event_subject(envelope: Envelope, subject: str | None = None) -> str:
    """The canonical subject of an event: its type, optionally followed by partition tokens.

    Partition tokens (e.g. ``retail.inventory.movement_recorded.v1.SKU1.DC1``) give per-key
    ordering to one consumer per partition (DESIGN.md section 4); they never change the type.
    """
    if subject is None:
        return envelope.type
    if subject != envelope.type and not subject.startswith(f"{envelope.type}."):
        raise ValueError(f"subject {subject!r} must be the event type {envelope.type!r} or extend it")
    return subject


class Publisher:
    """Publishes with the envelope as headers; ``Nats-Msg-Id`` = event id, so JetStream drops a
    re-publish of the same event inside the stream's duplicate window (``PubAck.duplicate``)."""

    def __init__(
        self,
        js: JetStreamContext,
        topology: Topology,
        timeout_s: float = 5.0,
        *,
        client: NatsClient | None = None,
    ) -> None:
        self._js = js
        self._topology = topology
        self._timeout_s = timeout_s
        # The connection under the context, for the outbox relay's batches (nats-py keeps it as
        # ``_nc`` and has no public accessor); pass ``client`` to avoid relying on that.
        found = client if client is not None else getattr(js, "_nc", None)
        self._client = found if isinstance(found, NatsClient) else None

    @property
    def topology(self) -> Topology:
        return self._topology

    @property
    def timeout_s(self) -> float:
        return self._timeout_s

    @property
    def client(self) -> NatsClient | None:
        """The NATS connection the JetStream context publishes on, when known."""
        return self._client

    async def publish(self, envelope: Envelope, payload: bytes, *, subject: str | None = None) -> PubAck:
        return await self.publish_raw(event_subject(envelope, subject), envelope.to_headers(), payload)

    async def publish_raw(self, canonical_subject: str, headers: dict[str, str], payload: bytes) -> PubAck:
        """Publish already-built headers (the outbox relay stores them with the row)."""
        return await self._js.publish(
            self._topology.subject(canonical_subject),
            payload,
            timeout=self._timeout_s,
            headers=headers,
        )
