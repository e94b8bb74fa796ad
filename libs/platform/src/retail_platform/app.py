"""`create_app`: a litestar app with the kit every service shares; `serve`: run it under uvicorn.

Wiring: problem+json for every error, correlation id (outermost, so every answer carries it),
request metrics, API-key authentication, `/metrics`, `/health/*`, OpenAPI at `/schema`
(`/schema/openapi.json`), a request body size limit, msgspec JSON.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import uvicorn
from litestar import Litestar
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme
from litestar.types import ControllerRouterHandler, LifespanHook, Middleware

from retail_platform.api_keys import ApiKeyStore
from retail_platform.auth import API_KEY_HEADER, api_key_middleware, provide_principal
from retail_platform.correlation import CorrelationIdMiddleware
from retail_platform.health import ReadinessCheck, health_routes
from retail_platform.key_admin import key_admin_router
from retail_platform.metrics import RequestMetricsMiddleware, metrics_endpoint
from retail_platform.nul_guard import NulGuardMiddleware
from retail_platform.principal import ALL_SCOPES
from retail_platform.problems import problem_exception_handlers
from retail_platform.settings import ServiceSettings
from retail_platform.whoami import whoami

DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024
GRACEFUL_SHUTDOWN_S = 20


def create_app(
    *,
    settings: ServiceSettings,
    route_handlers: Sequence[ControllerRouterHandler],
    readiness_checks: Mapping[str, ReadinessCheck],
    api_key_store: ApiKeyStore,
    title: str,
    version: str,
    description: str = "",
    dependencies: Mapping[str, Provide] | None = None,
    on_startup: Sequence[LifespanHook] = (),
    on_shutdown: Sequence[LifespanHook] = (),
    middleware: Sequence[Middleware] = (),
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    debug: bool = False,
) -> Litestar:
    """The service's litestar app. `on_startup` hooks run first (e.g. migrations), then the
    configured bootstrap API key is installed with every scope."""

    async def install_bootstrap_key() -> None:
        if settings.bootstrap_api_key:
            await api_key_store.install(settings.bootstrap_api_key, owner="bootstrap", scopes=[ALL_SCOPES])

    return Litestar(
        route_handlers=[
            *route_handlers,
            key_admin_router(api_key_store),
            whoami,
            metrics_endpoint,
            *health_routes(readiness_checks),
        ],
        dependencies={"principal": Provide(provide_principal), **(dependencies or {})},
        middleware=[
            CorrelationIdMiddleware(),
            RequestMetricsMiddleware(settings.service_name),
            api_key_middleware(api_key_store, required=settings.api_keys_required),
            NulGuardMiddleware(),
            *middleware,
        ],
        exception_handlers=problem_exception_handlers(),
        on_startup=[*on_startup, install_bootstrap_key],
        on_shutdown=list(on_shutdown),
        openapi_config=openapi_config(title, version, description),
        request_max_body_size=max_body_bytes,
        logging_config=None,
        debug=debug,
    )


def openapi_config(title: str, version: str, description: str) -> OpenAPIConfig:
    return OpenAPIConfig(
        title=title,
        version=version,
        description=description or None,
        path="/schema",
        components=Components(
            security_schemes={
                "ApiKey": SecurityScheme(type="apiKey", name=API_KEY_HEADER, security_scheme_in="header")
            }
        ),
        security=[{"ApiKey": []}],
    )


def uvicorn_config(app: Any, settings: ServiceSettings) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,  # logs go through configure_logging's handler, as JSON
        lifespan="on",
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
        proxy_headers=False,
    )


def serve(app: Any, settings: ServiceSettings) -> None:
    """Run the app until SIGTERM/SIGINT; uvicorn then stops accepting, finishes in-flight requests
    (up to GRACEFUL_SHUTDOWN_S) and runs the shutdown hooks."""
    uvicorn.Server(uvicorn_config(app, settings)).run()


async def serve_async(app: Any, settings: ServiceSettings) -> None:
    """As `serve`, inside a running event loop (e.g. beside a gRPC server)."""
    await uvicorn.Server(uvicorn_config(app, settings)).serve()
