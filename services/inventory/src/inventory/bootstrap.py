"""Composition root of the inventory service: the only module that knows the concrete adapters."""

from __future__ import annotations

import dataclasses
import gc
import sys
from pathlib import Path
from typing import Any

import asyncpg
from litestar import Litestar
from litestar.di import Provide
from master_replica import replica_consumer_spec
from messaging.consumer import ConsumerRunner
from messaging.dlq import DeadLetters
from messaging.outbox import OutboxRelay
from messaging.publisher import Publisher
from retail_platform.api_keys import ApiKeyStore
from retail_platform.app import create_app
from retail_platform.background import BackgroundLoops
from retail_platform.child_process import ChildProcess
from retail_platform.container import ServiceContainer, resolve
from retail_platform.database import create_engine
from retail_platform.dburl import libpq_url
from retail_platform.health import consumers_check, database_check, nats_check
from retail_platform.idempotency import IdempotencyStore
from retail_platform.migrate import migrate_service
from retail_platform.settings import ServiceSettings
from retail_platform.streams import topology_for
from sqlalchemy.ext.asyncio import async_sessionmaker

from inventory.adapters.clock import SystemClock
from inventory.adapters.files.watcher import SnapshotFolderWatcher
from inventory.adapters.grpc.server import GrpcServer
from inventory.adapters.grpc.servicer import InventoryServicer
from inventory.adapters.http.availability import ChannelAvailabilityController, PositionsController
from inventory.adapters.http.drifts import DriftController
from inventory.adapters.http.movements import MovementsController, SnapshotsController
from inventory.adapters.http.reservations import ReservationsController
from inventory.adapters.loops import drift_rate_loop, expiry_loop
from inventory.adapters.nats.movement_consumer import MOVEMENTS_SPEC, MovementConsumer
from inventory.adapters.options import InventoryOptions, options_from_env
from inventory.adapters.postgres.master_read_model import MasterReadModel
from inventory.adapters.postgres.queries import InventoryQueries, keep_session
from inventory.adapters.postgres.replica import apply_master_change
from inventory.adapters.postgres.unit_of_work import PostgresUnitOfWork
from inventory.adapters.reservation_batcher import ReservationBatcher
from inventory.application.queries.drift_rate import GetDriftRates
from inventory.application.use_cases.balance_snapshot import BalanceSnapshot
from inventory.application.use_cases.expire_reservations import ExpireReservations
from inventory.application.use_cases.ingest_snapshot import IngestSnapshot
from inventory.application.use_cases.record_movements import RecordMovements
from inventory.application.use_cases.release_reservation import ReleaseReservation
from inventory.application.use_cases.reserve_stock_batch import ReserveStockBatch
from inventory.application.use_cases.set_safety_stock import SetSafetyStock
from inventory.settings import SERVICE_NAME

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
CONTROLLERS = [
    MovementsController,
    SnapshotsController,
    ReservationsController,
    PositionsController,
    ChannelAvailabilityController,
    DriftController,
]


class InventoryContainer(ServiceContainer):
    """The kit's resources (engine, sessions, NATS); the use cases are wired in `build_app`."""


async def migrate(settings: ServiceSettings) -> None:
    """Create the service's database if missing, bring its schema to head, provision the streams."""
    await migrate_service(settings, MIGRATIONS)


def build_app(settings: ServiceSettings, options: InventoryOptions | None = None) -> Litestar:
    options = options or options_from_env()
    container = InventoryContainer(settings=settings)
    topology = topology_for(settings)
    loops = BackgroundLoops()
    state: dict[str, Any] = {}
    relay_process = ChildProcess("outbox_relay", [sys.executable, "-m", SERVICE_NAME, "relay"])
    # The key store is built before the engine exists; sessions are opened only after start-up.
    api_key_store = ApiKeyStore(lambda: state["session_factory"]())  # type: ignore[arg-type]
    grpc_server = GrpcServer(
        lambda pb: state["servicer_factory"](pb), settings.http_host, settings.grpc_port or 0
    )

    async def start() -> None:
        await resolve(container.init_resources)
        engine = await resolve(container.engine)
        session_factory = await resolve(container.session_factory)
        js = await resolve(container.jetstream)
        uow = PostgresUnitOfWork(session_factory, publish_movements=options.publish_movements)
        clock = SystemClock()
        read_model = MasterReadModel(session_factory)
        dead_letters = DeadLetters(js, topology)
        record_movements = RecordMovements(uow, read_model, read_model)
        batcher = ReservationBatcher(ReserveStockBatch(uow, clock, read_model), options.reservation_batch_max)
        release = ReleaseReservation(uow, clock)
        read_pool = await asyncpg.create_pool(
            libpq_url(settings.service_database_url), min_size=1, max_size=4, reset=keep_session
        )
        state["read_pool"] = read_pool
        queries = InventoryQueries(engine, read_pool)
        ingest = IngestSnapshot(uow, read_model, options.drift_tolerance, read_model)
        state.update(
            session_factory=session_factory,
            record_movements=record_movements,
            balance_snapshot=BalanceSnapshot(ingest),
            reservation_batcher=batcher,
            release_reservation=release,
            queries=queries,
            master_read_model=read_model,
            get_drift_rates=GetDriftRates(uow),
            set_safety_stock=SetSafetyStock(uow, clock, read_model),
            idempotency_store=IdempotencyStore(session_factory),
        )
        replica = ConsumerRunner(
            js, session_factory, topology, replica_consumer_spec(SERVICE_NAME), apply_master_change,
            dead_letters, after_commit=read_model.invalidate,
        )  # fmt: skip
        spec = dataclasses.replace(MOVEMENTS_SPEC, ack_wait_s=options.movements_ack_wait_s)
        movements = MovementConsumer(js, topology, uow, record_movements, read_model, dead_letters, spec)
        state["consumers"] = [replica, movements]
        publisher = Publisher(js, topology, client=await resolve(container.nats))
        if options.outbox_relay == "inline":
            # The relay's own connection: a batch keeps its rows locked until their acks are in.
            relay_engine = create_engine(settings.service_database_url, pool_size=1, max_overflow=0)
            state["relay_engine"] = relay_engine
            loops.start("outbox_relay", OutboxRelay(async_sessionmaker(relay_engine), publisher).run)
        else:  # published elsewhere; the backlog gauge is kept here, where /metrics is served
            loops.start("outbox_backlog", OutboxRelay(session_factory, publisher).watch_backlog)
        if options.outbox_relay == "process":
            loops.start("outbox_relay", relay_process.supervise)
        loops.start("master_replica", replica.run)
        for worker in range(options.reservation_workers):
            loops.start(f"reservation_batcher_{worker}", batcher.run)
        expire = ExpireReservations(uow, clock)
        loops.start("reservation_expiry", lambda stop: expiry_loop(expire, stop, options.expiry_interval_s))
        loops.start(
            "drift_rate", lambda stop: drift_rate_loop(GetDriftRates(uow), stop, options.drift_window)
        )
        if settings.inbox_dir:
            watcher = SnapshotFolderWatcher(Path(settings.inbox_dir), state["balance_snapshot"])
            loops.start("snapshot_watcher", watcher.run)
        if settings.grpc_port:
            state["servicer_factory"] = lambda pb: InventoryServicer(
                pb, api_key_store, queries, read_model, batcher, release
            )
            await grpc_server.start()
        # Last: a backlog is drained by a service that has finished starting (not one still
        # loading its gRPC modules beside the first batches).
        loops.start("movements", movements.run)
        # What start-up built (modules, app, pools) lives as long as the process: kept out of the
        # collector's full passes, which otherwise walk it all and stall a request now and then.
        gc.freeze()

    async def stop() -> None:
        await grpc_server.stop()
        await loops.stop()
        # Closed, not drained: draining waits (30 s) on the idle pull subscriptions of the consumers,
        # which hold nothing once their loops stopped (an unsent ack only means a deduped redelivery).
        if state:
            await (await resolve(container.nats)).close()
            if "read_pool" in state:
                await state["read_pool"].close()
            if "relay_engine" in state:
                await state["relay_engine"].dispose()
        await resolve(container.shutdown_resources)

    async def database_ready() -> str | None:
        return await database_check(await resolve(container.engine))()

    async def nats_ready() -> str | None:
        return await nats_check(await resolve(container.nats))()

    async def loops_ready() -> str | None:
        wanted = ["master_replica", "movements", "reservation_expiry"]
        wanted += [] if options.outbox_relay == "external" else ["outbox_relay"]
        stopped = [name for name in wanted if not loops.running(name)]
        if options.outbox_relay == "process" and not relay_process.alive:
            stopped.append("outbox relay process")
        return f"not running: {', '.join(stopped)}" if stopped else None

    async def consumers_ready() -> str | None:
        return await consumers_check(state.get("consumers", []))() if "consumers" in state else "not started"

    async def grpc_ready() -> str | None:
        return None if grpc_server.serving or not settings.grpc_port else "gRPC server not serving"

    def provide(name: str) -> Provide:
        return Provide(lambda: state[name], use_cache=True, sync_to_thread=False)

    dependencies = (
        "record_movements", "balance_snapshot", "reservation_batcher", "release_reservation", "queries",
        "master_read_model", "get_drift_rates", "idempotency_store", "set_safety_stock",
    )  # fmt: skip
    return create_app(
        settings=settings,
        route_handlers=CONTROLLERS,
        readiness_checks={
            "database": database_ready,
            "nats": nats_ready,
            "background": loops_ready,
            "consumers": consumers_ready,
            "grpc": grpc_ready,
        },
        api_key_store=api_key_store,
        title="retail-sync inventory",
        version="1.0.0",
        description="Positions per (sku, node), movements, reservations that never oversell, external "
        "balance snapshots and drift. Scopes: inventory:read, inventory:write, inventory:reserve.",
        dependencies={name: provide(name) for name in dependencies},
        on_startup=[start],
        on_shutdown=[stop],
    )
