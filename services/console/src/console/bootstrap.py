"""Composition root of the console: the HTTP client to the services, the DLQ gateway, the app."""

from __future__ import annotations

from typing import Any

import httpx
from litestar import Litestar
from litestar.di import Provide
from messaging.topology import Topology
from retail_platform.background import BackgroundLoops
from retail_platform.correlation import CorrelationIdMiddleware
from retail_platform.health import health_routes
from retail_platform.metrics import RequestMetricsMiddleware, metrics_endpoint
from retail_platform.problems import problem_exception_handlers

from console.dlq import DeadLetterGateway
from console.errors import UpstreamError
from console.http.api import ConsoleApiController
from console.http.pages import index, static_files
from console.http.problems import render_upstream_error
from console.settings import SERVICE_NAME, ConsoleSettings
from console.upstream import Upstream

MAX_BODY_BYTES = 256 * 1024


def build_app(
    settings: ConsoleSettings, *, http_transport: httpx.AsyncBaseTransport | None = None
) -> Litestar:
    """The console app; `http_transport` replaces the network in unit tests."""
    state: dict[str, Any] = {}
    loops = BackgroundLoops()
    topology = Topology(settings.service.nats_namespace)

    async def start() -> None:
        client = httpx.AsyncClient(timeout=settings.upstream_timeout_s, transport=http_transport)
        state["client"] = client
        state["upstream"] = Upstream(settings.service_urls, client)
        gateway = DeadLetterGateway(settings.service.nats_url, topology)
        state["dead_letter_gateway"] = gateway
        loops.start("dlq_depth", gateway.refresh_depth)

    async def stop() -> None:
        await loops.stop()
        if "dead_letter_gateway" in state:
            await state["dead_letter_gateway"].close()
        if "client" in state:
            await state["client"].aclose()

    def provide(name: str) -> Provide:
        return Provide(lambda: state[name], use_cache=True, sync_to_thread=False)

    return Litestar(
        route_handlers=[index, static_files, ConsoleApiController, metrics_endpoint, *health_routes({})],
        dependencies={name: provide(name) for name in ("upstream", "dead_letter_gateway")},
        middleware=[CorrelationIdMiddleware(), RequestMetricsMiddleware(SERVICE_NAME)],
        exception_handlers={**problem_exception_handlers(), UpstreamError: render_upstream_error},
        on_startup=[start],
        on_shutdown=[stop],
        request_max_body_size=MAX_BODY_BYTES,
        logging_config=None,
    )
