"""Prometheus metrics: `GET /metrics` (default registry) and HTTP request latency by route template.

Labels use the route template (`/v1/items/{sku:str}`), never the raw path, so cardinality stays bounded.
"""

from __future__ import annotations

import time
from typing import Any

from litestar import Response, get
from litestar.enums import ScopeType
from litestar.exceptions import HTTPException
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Histogram, generate_latest

HTTP_REQUEST_SECONDS = Histogram(
    "retail_http_request_duration_seconds",
    "Time to answer an HTTP request, by method, route template and status.",
    ["service", "method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)


@get("/metrics", include_in_schema=False, opt={"exclude_from_auth": True}, sync_to_thread=False)
def metrics_endpoint() -> Response[bytes]:
    return Response(content=generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)


class RequestMetricsMiddleware(ASGIMiddleware):
    """Observes latency of every routed HTTP request; an exception counts with its HTTP status."""

    scopes = (ScopeType.HTTP,)

    def __init__(self, service_name: str) -> None:
        self.service_name = service_name

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        started = time.perf_counter()
        status: dict[str, int] = {"code": 500}

        async def send_recording_status(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = int(message["status"])
            await send(message)

        try:
            await next_app(scope, receive, send_recording_status)
        except HTTPException as error:
            status["code"] = error.status_code
            raise
        finally:
            self._observe(scope, status["code"], time.perf_counter() - started)

    def _observe(self, scope: Scope, status_code: int, seconds: float) -> None:
        route: Any = scope.get("path_template") or "unmatched"
        HTTP_REQUEST_SECONDS.labels(
            self.service_name, scope.get("method", "GET"), route, str(status_code)
        ).observe(seconds)
