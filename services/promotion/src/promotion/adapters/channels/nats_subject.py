"""NATS transport: publish the payload on ``retail.promotion.channel_feed.v1.<channel_id>``.

The subject is captured by the PROMOTION stream, so a channel integration reads it with its own
durable consumer and never misses a deployment while it is down. Headers carry the deployment id
(``Nats-Msg-Id`` too, so a re-send inside the duplicate window is dropped) and the content type.
"""

from __future__ import annotations

import re

from messaging.topology import Topology
from nats.js import JetStreamContext

from promotion.application.ports import ChannelDelivery, DeliveryFailed

FEED_SUBJECT = "retail.promotion.channel_feed.v1"
_UNSAFE_TOKEN = re.compile(r"[^A-Za-z0-9_-]")


def feed_subject(channel_id: str) -> str:
    return f"{FEED_SUBJECT}.{_UNSAFE_TOKEN.sub('_', channel_id)}"


class NatsSubjectTransport:
    def __init__(self, js: JetStreamContext, topology: Topology, timeout_s: float = 5.0) -> None:
        self._js = js
        self._topology = topology
        self._timeout_s = timeout_s

    async def send(self, delivery: ChannelDelivery) -> None:
        d = delivery.deployment
        headers = {
            "Nats-Msg-Id": d.deployment_id,
            "Content-Type": d.content_type,
            "retail-sync-deployment": d.deployment_id,
            "retail-sync-promotion": f"{d.promotion_id}:v{d.version}",
            "retail-sync-action": d.action,
            "retail-sync-target": d.target,
        }
        subject = self._topology.subject(feed_subject(delivery.channel_id))
        try:
            await self._js.publish(subject, d.payload, timeout=self._timeout_s, headers=headers)
        except Exception as error:  # NATS down or stream missing: retried by the dispatcher
            raise DeliveryFailed(f"nats {subject}: {type(error).__name__}: {error}") from error
