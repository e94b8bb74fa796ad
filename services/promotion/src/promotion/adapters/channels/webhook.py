"""Webhook transport: POST the payload to the channel's URL.

Headers: ``Content-Type`` (the payload's), ``X-Retail-Sync-Deployment`` (the deployment id; the
channel acknowledges with it) and ``Idempotency-Key`` (the same id: a retried POST is a replay).
2xx = sent; 408/429/5xx and network errors are retried; any other 4xx is a permanent failure.
"""

from __future__ import annotations

import httpx

from promotion.application.ports import ChannelDelivery, DeliveryFailed


class WebhookTransport:
    def __init__(self, url: str, client: httpx.AsyncClient, headers: dict[str, str] | None = None) -> None:
        self._url = url
        self._client = client
        self._headers = headers or {}

    async def send(self, delivery: ChannelDelivery) -> None:
        deployment = delivery.deployment
        headers = {
            **self._headers,
            "Content-Type": deployment.content_type,
            "X-Retail-Sync-Deployment": deployment.deployment_id,
            "Idempotency-Key": deployment.deployment_id,
        }
        try:
            response = await self._client.post(self._url, content=deployment.payload, headers=headers)
        except httpx.HTTPError as error:
            raise DeliveryFailed(f"webhook {self._url}: {type(error).__name__}: {error}") from error
        if response.is_success:
            return
        retryable = response.status_code in (408, 429) or response.status_code >= 500
        raise DeliveryFailed(
            f"webhook {self._url} answered HTTP {response.status_code}: {response.text[:200]}",
            permanent=not retryable,
        )
