"""The running system as an integrator sees it: five HTTP APIs, two people's API keys, bounded waits.

Waiting for asynchronous work uses only what the services publish: business reads (recon's read-model
counts, traces, deployments) and the consumers' processed-message counters on `/metrics`.
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx

SERVICE_PORTS = {
    "master_data": 8100,
    "promotion": 8101,
    "inventory": 8102,
    "order_ledger": 8103,
    "reconciliation": 8104,
}
REPLICA_CONSUMERS = ("promotion", "inventory", "order_ledger", "reconciliation")
T = TypeVar("T")


class DemoError(RuntimeError):
    """A step of the demo failed; the message says which and what the service answered."""


def default_base_urls(environ: dict[str, str] | None = None) -> dict[str, str]:
    """The local `retail-sync up`: default ports, or RETAIL_SYNC_<SERVICE>_HTTP_PORT."""
    env = os.environ if environ is None else environ
    return {
        name: f"http://127.0.0.1:{env.get(f'RETAIL_SYNC_{name.upper()}_HTTP_PORT', port)}"
        for name, port in SERVICE_PORTS.items()
    }


def parse_base_urls(text: str, defaults: dict[str, str]) -> dict[str, str]:
    """`service=url,service=url` over the defaults; unknown service names are refused."""
    urls = dict(defaults)
    for part in filter(None, (piece.strip() for piece in text.split(","))):
        name, _, url = part.partition("=")
        if name not in SERVICE_PORTS or not url:
            raise DemoError(f"--base-urls: expected service=url with service in {', '.join(SERVICE_PORTS)}")
        urls[name] = url.rstrip("/")
    return urls


@dataclass
class System:
    urls: dict[str, str]
    admin_key: str
    author_key: str
    approver_key: str
    client: httpx.AsyncClient
    deadline_s: float = 120.0

    async def call(
        self,
        method: str,
        service: str,
        path: str,
        *,
        key: str | None = None,
        expect: tuple[int, ...] = (200, 201),
        **kwargs: Any,
    ) -> Any:
        headers = {"X-API-Key": key or self.admin_key, **kwargs.pop("headers", {})}
        url = f"{self.urls[service]}{path}"
        for attempt in range(5):
            try:
                response = await self.client.request(method, url, headers=headers, **kwargs)
                break
            except httpx.TransportError as error:
                if attempt == 4:
                    raise DemoError(f"{service} at {self.urls[service]} is not reachable: {error}") from error
                await asyncio.sleep(0.5 * (attempt + 1))
        if response.status_code not in expect:
            raise DemoError(f"{method} {service}{path}: {response.status_code} {response.text[:600]}")
        if not response.content:
            return None
        if response.headers.get("content-type", "").startswith(
            ("application/json", "application/problem+json")
        ):
            return response.json()
        return response.content

    async def get(self, service: str, path: str, **kwargs: Any) -> Any:
        return await self.call("GET", service, path, **kwargs)

    async def post(self, service: str, path: str, **kwargs: Any) -> Any:
        return await self.call("POST", service, path, **kwargs)

    async def processed(self, service: str, consumer: str) -> int:
        """Messages `consumer` (a durable) has finished in this process, from its /metrics."""
        text = (await self.client.get(f"{self.urls[service]}/metrics")).text
        pattern = re.compile(
            r'^messaging_consumer_processed_total\{(?=[^}]*consumer="'
            + re.escape(consumer)
            + r'")[^}]*\}\s+(\S+)$',
            re.MULTILINE,
        )
        return int(sum(float(value) for value in pattern.findall(text)))

    async def until(self, check: Callable[[], Awaitable[T | None]], what: str) -> T:
        """Poll `check` until it returns something truthy; DemoError after the deadline."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.deadline_s
        while True:
            found = await check()
            if found:
                return found
            if loop.time() > deadline:
                raise DemoError(f"timed out after {self.deadline_s:.0f}s waiting for {what}")
            await asyncio.sleep(0.25)


async def replica_counts(system: System) -> dict[str, int]:
    return {
        service: await system.processed(service, f"{service}_master_replica") for service in REPLICA_CONSUMERS
    }


async def wait_for_replicas(system: System, before: dict[str, int], events: int) -> None:
    """Every service's master-data replica has taken `events` more events than `before`."""

    async def caught_up() -> bool:
        now = await replica_counts(system)
        return all(now[service] - before[service] >= events for service in REPLICA_CONSUMERS)

    await system.until(caught_up, f"{events} master-data events in every replica")
