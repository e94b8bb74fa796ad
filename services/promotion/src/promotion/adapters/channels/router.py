"""Which transport each channel uses, from ``RETAIL_SYNC_PROMOTION_CHANNEL_ENDPOINTS`` (JSON).

``{"ECOM": {"transport": "webhook", "url": "https://shop.example/promotions"},
   "AMAZON-US": {"transport": "file", "directory": "/srv/drop/amazon"},
   "*": {"transport": "nats"}}`` - a channel not named uses ``"*"``, and without ``"*"`` NATS.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import httpx
from messaging.topology import Topology
from nats.js import JetStreamContext

from promotion.adapters.channels.file_drop import FileDropTransport
from promotion.adapters.channels.nats_subject import NatsSubjectTransport
from promotion.adapters.channels.webhook import WebhookTransport
from promotion.application.ports import ChannelTransport

ENDPOINTS_VARIABLE = "RETAIL_SYNC_PROMOTION_CHANNEL_ENDPOINTS"


class EndpointConfigError(ValueError):
    pass


def parse_endpoints(raw: str | None) -> dict[str, dict[str, Any]]:
    if not raw or not raw.strip():
        return {}
    try:
        parsed = json.loads(raw)
    except json.JSONDecodeError as error:
        raise EndpointConfigError(f"{ENDPOINTS_VARIABLE}: not JSON: {error}") from None
    if not isinstance(parsed, dict):
        raise EndpointConfigError(f"{ENDPOINTS_VARIABLE}: expected an object of channel -> endpoint")
    for channel, endpoint in parsed.items():
        kind = endpoint.get("transport") if isinstance(endpoint, dict) else None
        needed = {"webhook": "url", "file": "directory", "nats": None}
        if kind not in needed:
            raise EndpointConfigError(f"{ENDPOINTS_VARIABLE}[{channel}].transport: webhook, file or nats")
        field = needed[kind]
        if field and not isinstance(endpoint.get(field), str):
            raise EndpointConfigError(f"{ENDPOINTS_VARIABLE}[{channel}].{field}: required for {kind}")
    return parsed


def transport_router(
    endpoints: Mapping[str, dict[str, Any]], js: JetStreamContext, topology: Topology, http: httpx.AsyncClient
) -> Callable[[str], ChannelTransport]:
    nats_transport = NatsSubjectTransport(js, topology)
    built: dict[str, ChannelTransport] = {}

    def build(endpoint: dict[str, Any]) -> ChannelTransport:
        if endpoint["transport"] == "webhook":
            return WebhookTransport(endpoint["url"], http, endpoint.get("headers"))
        if endpoint["transport"] == "file":
            return FileDropTransport(Path(endpoint["directory"]))
        return nats_transport

    def transport_for(channel_id: str) -> ChannelTransport:
        if channel_id not in built:
            endpoint = endpoints.get(channel_id) or endpoints.get("*") or {"transport": "nats"}
            built[channel_id] = build(endpoint)
        return built[channel_id]

    return transport_for
