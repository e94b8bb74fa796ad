"""Composition root of the promotion service: the only module that knows the concrete adapters."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
from litestar import Litestar
from litestar.di import Provide
from master_replica import apply_master_event, replica_consumer_spec
from messaging.consumer import ConsumerRunner
from messaging.dlq import DeadLetters
from messaging.outbox import OutboxRelay
from messaging.publisher import Publisher
from retail_platform.api_keys import ApiKeyStore
from retail_platform.app import create_app
from retail_platform.background import BackgroundLoops
from retail_platform.container import ServiceContainer, resolve
from retail_platform.health import database_check, nats_check
from retail_platform.idempotency import IdempotencyStore
from retail_platform.logging import get_logger
from retail_platform.migrate import migrate_service
from retail_platform.principal import ANONYMOUS, Principal
from retail_platform.settings import ServiceSettings, load_settings
from retail_platform.streams import topology_for

from promotion.adapters import metrics
from promotion.adapters.channels.router import ENDPOINTS_VARIABLE, parse_endpoints, transport_router
from promotion.adapters.grpc.server import serve_evaluation
from promotion.adapters.http.coupons import CouponsController
from promotion.adapters.http.deployments import DeploymentsController
from promotion.adapters.http.evaluation import EvaluationController
from promotion.adapters.http.promotions import PromotionsController
from promotion.adapters.http.queries import PromotionQueries
from promotion.adapters.nats.consumers import CHANNEL_ACK_SPEC, SALES_SPEC, channel_ack_handler, sales_handler
from promotion.adapters.postgres.catalog import CatalogRefresher
from promotion.adapters.postgres.coupons import PostgresCoupons
from promotion.adapters.postgres.unit_of_work import PostgresUnitOfWork
from promotion.application.evaluation import CartEvaluator, EvaluateCart
from promotion.application.use_cases.acknowledge import AcknowledgeDeployment
from promotion.application.use_cases.authoring import CreatePromotion, EditPromotion
from promotion.application.use_cases.coupons import RedeemCoupon
from promotion.application.use_cases.dispatch import DispatchDeployments
from promotion.application.use_cases.late import FlagLateDeployments
from promotion.application.use_cases.lifecycle import ChangeLifecycle
from promotion.application.use_cases.schedule import AdvanceSchedule

SERVICE_NAME = "promotion"
DEFAULT_HTTP_PORT = 8101
DEFAULT_GRPC_PORT = 50051
MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
log = get_logger(__name__)


def settings_from_env() -> ServiceSettings:
    return load_settings(
        SERVICE_NAME, default_http_port=DEFAULT_HTTP_PORT, default_grpc_port=DEFAULT_GRPC_PORT
    )


class PromotionContainer(ServiceContainer):
    """The kit's resources (engine, sessions, NATS); the use cases are wired in `build_app`."""


async def migrate(settings: ServiceSettings) -> None:
    """Create the service's database if missing, bring its schema to head, provision the streams."""
    await migrate_service(settings, MIGRATIONS)


def every(seconds: float, action: Callable[[], Awaitable[Any]]) -> Callable[[asyncio.Event], Awaitable[None]]:
    async def loop(stop: asyncio.Event) -> None:
        while not stop.is_set():
            await action()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), seconds)

    return loop


def build_app(settings: ServiceSettings) -> Litestar:
    container = PromotionContainer(settings=settings)
    topology = topology_for(settings)
    endpoints = parse_endpoints(os.environ.get(ENDPOINTS_VARIABLE))
    loops = BackgroundLoops()
    state: dict[str, Any] = {}
    consumers: list[ConsumerRunner] = []

    async def start() -> None:
        await resolve(container.init_resources)
        session_factory = await resolve(container.session_factory)
        js = await resolve(container.jetstream)
        http_client = httpx.AsyncClient(timeout=5.0)
        unit_of_work = lambda: PostgresUnitOfWork(session_factory)  # noqa: E731
        evaluate_cart = EvaluateCart()
        refresher = CatalogRefresher(session_factory, evaluate_cart)
        await refresher.refresh()

        async def usage(codes: frozenset[str], customer_id: str | None) -> dict[str, Any]:
            async with session_factory() as session:
                return await PostgresCoupons(session).usage(codes, customer_id)

        cart_evaluator = CartEvaluator(evaluate_cart, usage, lambda node: refresher.nodes.get(node))
        dispatch = DispatchDeployments(
            unit_of_work,
            transport_router(endpoints, js, topology, http_client),
            on_change=metrics.count_status,
        )
        flag_late = FlagLateDeployments(unit_of_work)
        advance = AdvanceSchedule(unit_of_work)
        change_lifecycle = ChangeLifecycle(unit_of_work)

        async def flag_late_round() -> None:
            metrics.count_late(await flag_late())

        async def schedule_round() -> None:
            if await advance():
                await refresher.refresh()

        api_key_store: ApiKeyStore = state["api_key_store"]

        async def authenticate(key: str | None) -> Principal | None:
            if not settings.api_keys_required:
                return ANONYMOUS
            principal = await api_key_store.authenticate(key) if key else None
            return principal if principal is not None and principal.has_scope("promotion:read") else None

        state.update(
            session_factory=session_factory,
            http_client=http_client,
            create_promotion=CreatePromotion(unit_of_work),
            edit_promotion=EditPromotion(unit_of_work),
            change_lifecycle=change_lifecycle,
            acknowledge_deployment=AcknowledgeDeployment(unit_of_work),
            redeem_coupon=RedeemCoupon(unit_of_work),
            cart_evaluator=cart_evaluator,
            queries=PromotionQueries(session_factory),
            idempotency_store=IdempotencyStore(session_factory),
        )
        dead_letters = DeadLetters(js, topology)
        for spec, handler in (
            (replica_consumer_spec(SERVICE_NAME), apply_master_event),
            (SALES_SPEC, sales_handler()),
            (CHANNEL_ACK_SPEC, channel_ack_handler(metrics.count_status)),
        ):
            runner = ConsumerRunner(js, session_factory, topology, spec, handler, dead_letters)
            consumers.append(runner)
            loops.start(spec.durable, runner.run)
        loops.start("outbox_relay", OutboxRelay(session_factory, Publisher(js, topology)).run)
        loops.start("catalog_refresher", refresher.run)
        loops.start("deployment_dispatcher", every(0.2, dispatch))
        loops.start("late_deployments", every(1.0, flag_late_round))
        loops.start("schedule", every(1.0, schedule_round))
        if settings.grpc_port is not None:
            server, port = await serve_evaluation(
                cart_evaluator, host=settings.http_host, port=settings.grpc_port, authenticate=authenticate
            )
            state["grpc_server"] = server
            log.info("grpc_serving", port=port)

    async def stop() -> None:
        if (server := state.get("grpc_server")) is not None:
            await server.stop(grace=5)
        await loops.stop()
        if (client := state.get("http_client")) is not None:
            await client.aclose()
        await resolve(container.shutdown_resources)

    async def database_ready() -> str | None:
        return await database_check(await resolve(container.engine))()

    async def nats_ready() -> str | None:
        return await nats_check(await resolve(container.nats))()

    async def loops_ready() -> str | None:
        down = [
            name
            for name in ("outbox_relay", "catalog_refresher", "deployment_dispatcher")
            if not loops.running(name)
        ]
        unbound = [runner.spec.durable for runner in consumers if not runner.bound]
        problems = [f"{name} not running" for name in down] + [
            f"consumer {name} not bound" for name in unbound
        ]
        return "; ".join(problems) or None

    def provide(name: str) -> Provide:
        return Provide(lambda: state[name], use_cache=True, sync_to_thread=False)

    api_key_store = ApiKeyStore(lambda: state["session_factory"]())  # type: ignore[arg-type]
    state["api_key_store"] = api_key_store
    dependencies = (
        "create_promotion",
        "edit_promotion",
        "change_lifecycle",
        "acknowledge_deployment",
        "redeem_coupon",
        "cart_evaluator",
        "queries",
        "idempotency_store",
    )
    return create_app(
        settings=settings,
        route_handlers=[PromotionsController, DeploymentsController, EvaluationController, CouponsController],
        readiness_checks={"database": database_ready, "nats": nats_ready, "background": loops_ready},
        api_key_store=api_key_store,
        title="retail-sync promotions",
        version="1.0.0",
        description="Governed promotions: authoring, approval by a second user, scheduling, distribution to "
        "every channel with tracked deployments, coupon redemptions and cart evaluation (REST and gRPC).",
        dependencies={name: provide(name) for name in dependencies},
        on_startup=[start],
        on_shutdown=[stop],
    )
