"""Composition root of the reconciliation service: the only module that knows the concrete adapters."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from litestar import Litestar
from litestar.di import Provide
from master_replica.handler import apply_master_event, replica_consumer_spec
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
from retail_platform.migrate import migrate_service
from retail_platform.settings import ServiceSettings, SettingsError, load_settings, service_variable
from retail_platform.streams import topology_for

from reconciliation.adapters.files.watcher import FolderWatcher
from reconciliation.adapters.http.exceptions_controller import ReconExceptionsController
from reconciliation.adapters.http.files_controller import ReconFilesController
from reconciliation.adapters.metrics import ReconMetrics
from reconciliation.adapters.nats.read_models import HANDLERS, consumer_specs
from reconciliation.adapters.postgres.engine import PostgresReconciler
from reconciliation.adapters.postgres.queries import ReconQueries
from reconciliation.adapters.postgres.unit_of_work import PostgresUnitOfWork
from reconciliation.application.use_cases.exception_workflow import ExceptionWorkflow
from reconciliation.application.use_cases.ingest_file import IngestFile
from reconciliation.domain.periods import DEFAULT_CUTOFF_DAYS
from reconciliation.domain.rules import Tolerances

SERVICE_NAME = "reconciliation"
DEFAULT_HTTP_PORT = 8104
MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
MAX_FILE_BYTES = 512 * 1024 * 1024


def settings_from_env() -> ServiceSettings:
    return load_settings(SERVICE_NAME, default_http_port=DEFAULT_HTTP_PORT)


def tolerances_from_env(environ: Mapping[str, str] = os.environ) -> Tolerances:
    """`RETAIL_SYNC_RECONCILIATION_<FIELD>` (e.g. ..._SETTLEMENT_WINDOW_DAYS) overrides a default."""
    values: dict[str, int] = {}
    for name in vars(Tolerances()):
        variable = service_variable(SERVICE_NAME, name)
        if (raw := environ.get(variable)) is not None:
            try:
                values[name] = int(raw)
            except ValueError:
                raise SettingsError(variable, f"not a whole number: {raw!r}") from None
    return Tolerances(**values)


def cutoff_days_from_env(environ: Mapping[str, str] = os.environ) -> int:
    raw = environ.get(service_variable(SERVICE_NAME, "cutoff_days"))
    return DEFAULT_CUTOFF_DAYS if raw is None else int(raw)


class ReconciliationContainer(ServiceContainer):
    """The kit's resources (engine, sessions, NATS); the use cases are wired in `build_app`."""


async def migrate(settings: ServiceSettings) -> None:
    """Create the service's database if missing, bring its schema to head, provision the streams."""
    await migrate_service(settings, MIGRATIONS)


def build_app(settings: ServiceSettings) -> Litestar:
    container = ReconciliationContainer(settings=settings)
    topology = topology_for(settings)
    tolerances = tolerances_from_env()
    loops = BackgroundLoops()
    state: dict[str, object] = {"tolerances": tolerances}
    consumers: list[ConsumerRunner] = []

    async def start() -> None:
        await resolve(container.init_resources)
        session_factory = await resolve(container.session_factory)
        js = await resolve(container.jetstream)
        metrics = ReconMetrics(session_factory)
        reconciler = PostgresReconciler(session_factory, tolerances, after_run=metrics.refresh)
        unit_of_work = lambda: PostgresUnitOfWork(session_factory)  # noqa: E731
        ingest_file = IngestFile(unit_of_work, reconciler, cutoff_days=cutoff_days_from_env())
        dead_letters = DeadLetters(js, topology)
        state.update(
            session_factory=session_factory,
            reconciler=reconciler,
            ingest_file=ingest_file,
            workflow=ExceptionWorkflow(unit_of_work),
            queries=ReconQueries(session_factory),
            idempotency_store=IdempotencyStore(session_factory),
        )
        specs = consumer_specs(SERVICE_NAME) | {"master": replica_consumer_spec(SERVICE_NAME)}
        handlers = HANDLERS | {"master": apply_master_event}
        for name, spec in specs.items():
            runner = ConsumerRunner(js, session_factory, topology, spec, handlers[name], dead_letters)
            await runner.bind()
            consumers.append(runner)
            loops.start(f"consumer_{name}", runner.run)
        loops.start("outbox_relay", OutboxRelay(session_factory, Publisher(js, topology)).run)
        loops.start("metrics", metrics.run)
        if settings.inbox_dir:
            loops.start("folder_watcher", FolderWatcher(Path(settings.inbox_dir), ingest_file).run)

    async def stop() -> None:
        await loops.stop()
        await resolve(container.shutdown_resources)

    async def database_ready() -> str | None:
        return await database_check(await resolve(container.engine))()

    async def nats_ready() -> str | None:
        return await nats_check(await resolve(container.nats))()

    async def loops_ready() -> str | None:
        stopped = [
            name for name in ("outbox_relay", "consumer_ledger", "consumer_sales") if not loops.running(name)
        ]
        return f"not running: {', '.join(stopped)}" if stopped else None

    async def consumers_bound() -> str | None:
        return None if consumers and all(c.bound for c in consumers) else "consumers not bound"

    def provide(name: str) -> Provide:
        return Provide(lambda: state[name], use_cache=True, sync_to_thread=False)

    # The key store is built before the engine exists; sessions are opened only after start-up.
    api_key_store = ApiKeyStore(lambda: state["session_factory"]())  # type: ignore[arg-type, operator]
    names = (
        "reconciler",
        "ingest_file",
        "workflow",
        "queries",
        "idempotency_store",
        "session_factory",
        "tolerances",
    )
    return create_app(
        settings=settings,
        route_handlers=[ReconFilesController, ReconExceptionsController],
        readiness_checks={
            "database": database_ready,
            "nats": nats_ready,
            "background": loops_ready,
            "consumers": consumers_bound,
        },
        api_key_store=api_key_store,
        title="retail-sync reconciliation",
        version="1.0.0",
        description="Settlement, bank and marketplace files matched to the ledger; typed variances; "
        "exceptions with a maker-checker workflow; close readiness per legal entity and period.",
        dependencies={name: provide(name) for name in names},
        on_startup=[start],
        on_shutdown=[stop],
        max_body_bytes=MAX_FILE_BYTES,
    )
