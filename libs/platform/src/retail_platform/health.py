"""Liveness and readiness (DESIGN section 7: ready = database and NATS reachable, consumers bound).

A readiness check returns None when fine, else the reason; a check that raises or takes longer
than its timeout fails with that as the reason.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any

import msgspec
from litestar import Response, get
from litestar.handlers import HTTPRouteHandler
from nats.aio.client import Client as NatsClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from retail_platform.problems import PROBLEM_JSON

ReadinessCheck = Callable[[], Awaitable[str | None]]
CHECK_TIMEOUT_S = 2.0
_OPEN = {"exclude_from_auth": True}


class Liveness(msgspec.Struct, frozen=True):
    status: str


class Readiness(msgspec.Struct, frozen=True):
    status: str
    checks: dict[str, str]


class NotReady(msgspec.Struct, frozen=True, kw_only=True):
    type: str
    title: str
    status: int
    detail: str
    instance: str
    checks: dict[str, str]


async def run_check(check: ReadinessCheck, timeout_s: float = CHECK_TIMEOUT_S) -> str | None:
    try:
        return await asyncio.wait_for(check(), timeout_s)
    except TimeoutError:
        return f"no answer within {timeout_s}s"
    except Exception as error:
        return f"{type(error).__name__}: {error}"


def health_routes(
    checks: Mapping[str, ReadinessCheck], *, timeout_s: float = CHECK_TIMEOUT_S
) -> list[HTTPRouteHandler]:
    """`GET /health/live` and `GET /health/ready` route handlers."""

    @get("/health/live", opt=_OPEN, tags=["health"], operation_id="Liveness", sync_to_thread=False)
    def live() -> Liveness:
        return Liveness(status="alive")

    @get("/health/ready", opt=_OPEN, tags=["health"], operation_id="Readiness")
    async def ready() -> Response[Any]:
        names = list(checks)
        reasons = await asyncio.gather(*(run_check(checks[name], timeout_s) for name in names))
        results = {name: reason or "ok" for name, reason in zip(names, reasons, strict=True)}
        failing = [name for name, reason in zip(names, reasons, strict=True) if reason is not None]
        if not failing:
            return Response(content=Readiness(status="ready", checks=results))
        problem = NotReady(
            type="urn:retail-sync:problem:not-ready",
            title="Service not ready",
            status=503,
            detail="failing checks: " + ", ".join(failing),
            instance="/health/ready",
            checks=results,
        )
        return Response(content=msgspec.json.encode(problem), status_code=503, media_type=PROBLEM_JSON)

    return [live, ready]


def database_check(engine: AsyncEngine) -> ReadinessCheck:
    async def check() -> str | None:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        return None

    return check


def nats_check(nc: NatsClient) -> ReadinessCheck:
    async def check() -> str | None:
        if not nc.is_connected:
            return "not connected to NATS"
        await nc.jetstream().account_info()
        return None

    return check


def consumers_check(runners: Iterable[Any]) -> ReadinessCheck:
    """Every runner (anything with `.bound` and, ideally, `.name`) has bound its consumer."""

    async def check() -> str | None:
        unbound = [str(getattr(r, "name", r)) for r in runners if not getattr(r, "bound", False)]
        return f"consumers not bound: {', '.join(unbound)}" if unbound else None

    return check
