"""Composition root of the master data service: the only module that knows the concrete adapters."""

from __future__ import annotations

from pathlib import Path

from litestar import Litestar
from litestar.di import Provide
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
from retail_platform.settings import ServiceSettings, load_settings
from retail_platform.streams import topology_for

from master_data.adapters.files.watcher import master_data_folder
from master_data.adapters.http.controllers import MasterRecordsController
from master_data.adapters.postgres.queries import MasterRecordQueries
from master_data.adapters.postgres.unit_of_work import PostgresUnitOfWork
from master_data.application.use_cases.bulk_upsert import BulkUpsert

SERVICE_NAME = "master_data"
DEFAULT_HTTP_PORT = 8100
MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def settings_from_env() -> ServiceSettings:
    return load_settings(SERVICE_NAME, default_http_port=DEFAULT_HTTP_PORT)


class MasterDataContainer(ServiceContainer):
    """The kit's resources (engine, sessions, NATS); the use cases are wired in `build_app`."""


async def migrate(settings: ServiceSettings) -> None:
    """Create the service's database if missing, bring its schema to head, provision the streams."""
    await migrate_service(settings, MIGRATIONS)


def build_app(settings: ServiceSettings) -> Litestar:
    container = MasterDataContainer(settings=settings)
    topology = topology_for(settings)
    loops = BackgroundLoops()
    state: dict[str, object] = {}

    async def start() -> None:
        await resolve(container.init_resources)
        session_factory = await resolve(container.session_factory)
        js = await resolve(container.jetstream)
        unit_of_work = lambda: PostgresUnitOfWork(session_factory)  # noqa: E731
        bulk_upsert = BulkUpsert(unit_of_work)
        state.update(
            session_factory=session_factory,
            bulk_upsert=bulk_upsert,
            queries=MasterRecordQueries(session_factory),
            idempotency_store=IdempotencyStore(session_factory),
            dead_letters=DeadLetters(js, topology),
        )
        relay = OutboxRelay(session_factory, Publisher(js, topology))
        loops.start("outbox_relay", relay.run)
        if settings.inbox_dir:
            loops.start("folder_watcher", master_data_folder(Path(settings.inbox_dir), bulk_upsert).run)

    async def stop() -> None:
        await loops.stop()
        await resolve(container.shutdown_resources)

    async def database_ready() -> str | None:
        return await database_check(await resolve(container.engine))()

    async def nats_ready() -> str | None:
        return await nats_check(await resolve(container.nats))()

    async def relay_ready() -> str | None:
        return None if loops.running("outbox_relay") else "outbox relay not running"

    def provide(name: str) -> Provide:
        return Provide(lambda: state[name], use_cache=True, sync_to_thread=False)

    # The key store is built before the engine exists; sessions are opened only after start-up.
    api_key_store = ApiKeyStore(lambda: state["session_factory"]())  # type: ignore[arg-type, operator]
    return create_app(
        settings=settings,
        route_handlers=[MasterRecordsController],
        readiness_checks={"database": database_ready, "nats": nats_ready, "outbox_relay": relay_ready},
        api_key_store=api_key_store,
        title="retail-sync master data",
        version="1.0.0",
        description="Replica of ERP master data: items, categories, tax codes, costs, nodes, channels, "
        "GL accounts, accounting dimensions, legal entities and fiscal calendars.",
        dependencies={name: provide(name) for name in ("bulk_upsert", "queries", "idempotency_store")},
        on_startup=[start],
        on_shutdown=[stop],
    )
