"""Composition root of the order ledger: the only module that knows the concrete adapters.

Extra settings (environment): RETAIL_SYNC_ORDER_LEDGER_ERP_URL (HTTP export) or
RETAIL_SYNC_ORDER_LEDGER_ERP_DIR (file export; default `<inbox>/../erp` or `.retail-sync/erp`),
RETAIL_SYNC_ORDER_LEDGER_ERP_INTERVAL_S (default 60), RETAIL_SYNC_ORDER_LEDGER_ERP_RESEND_AFTER_S
(default 300), RETAIL_SYNC_ORDER_LEDGER_SUBMISSIONS_ACK_WAIT_S (default 60: how long a batch fetched by a
pod that died waits before it is delivered again).
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from litestar import Litestar
from litestar.di import Provide
from master_replica import apply_master_event, replica_consumer_spec
from messaging.consumer import ConsumerRunner, ConsumerSpec
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

from order_ledger.adapters.erp.file_exporter import FileErpExporter
from order_ledger.adapters.erp.http_exporter import HttpErpExporter
from order_ledger.adapters.erp.loop import export_loop
from order_ledger.adapters.files.watcher import FolderWatcher
from order_ledger.adapters.http.controllers import LedgerController, SalesController
from order_ledger.adapters.nats.handlers import (
    PROMOTION_SPEC,
    RETURN_DISPOSED_SPEC,
    SHIPMENT_SPEC,
    VARIANCE_SPEC,
    apply_promotion_event,
    return_disposition_handler,
    shipment_handler,
    variance_handler,
)
from order_ledger.adapters.nats.submissions import SUBMISSION_SPEC, SubmissionConsumer
from order_ledger.adapters.postgres.queries import LedgerQueries
from order_ledger.adapters.postgres.unit_of_work import PostgresUnitOfWork
from order_ledger.application.ports import ErpExporter
from order_ledger.application.use_cases.export_journal import ExportJournal
from order_ledger.application.use_cases.post_return_disposition import PostReturnDisposition
from order_ledger.application.use_cases.post_shipment import PostShipment
from order_ledger.application.use_cases.post_variance import PostVariance
from order_ledger.application.use_cases.record_transactions import RecordTransactions
from order_ledger.runtime import configure_process

SERVICE_NAME = "order_ledger"
DEFAULT_HTTP_PORT = 8103
MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def settings_from_env() -> ServiceSettings:
    return load_settings(SERVICE_NAME, default_http_port=DEFAULT_HTTP_PORT)


def _env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(f"RETAIL_SYNC_ORDER_LEDGER_{name}") or default


def erp_exporter(settings: ServiceSettings) -> ErpExporter:
    if url := _env("ERP_URL"):
        return HttpErpExporter(url)
    default_dir = Path(settings.inbox_dir).parent / "erp" if settings.inbox_dir else Path(".retail-sync/erp")
    return FileErpExporter(Path(_env("ERP_DIR") or str(default_dir)))


def submission_spec() -> ConsumerSpec:
    ack_wait_s = float(_env("SUBMISSIONS_ACK_WAIT_S") or SUBMISSION_SPEC.ack_wait_s)
    return dataclasses.replace(SUBMISSION_SPEC, ack_wait_s=ack_wait_s)


class OrderLedgerContainer(ServiceContainer):
    """The kit's resources (engine, sessions, NATS); the use cases are wired in `build_app`."""


async def migrate(settings: ServiceSettings) -> None:
    """Create the service's database if missing, bring its schema to head, provision the streams."""
    await migrate_service(settings, MIGRATIONS)


def build_app(settings: ServiceSettings) -> Litestar:
    container = OrderLedgerContainer(settings=settings)
    topology = topology_for(settings)
    loops = BackgroundLoops()
    state: dict[str, object] = {}
    consumers: list[ConsumerRunner | SubmissionConsumer] = []

    async def start() -> None:
        await resolve(container.init_resources)
        session_factory = await resolve(container.session_factory)
        js = await resolve(container.jetstream)
        dead_letters = DeadLetters(js, topology)
        record = RecordTransactions(lambda: PostgresUnitOfWork(session_factory))
        export_journal = ExportJournal(
            lambda: PostgresUnitOfWork(session_factory),
            erp_exporter(settings),
            resend_after_s=float(_env("ERP_RESEND_AFTER_S", "300") or 300),
        )
        state.update(
            session_factory=session_factory,
            record_transactions=record,
            export_journal=export_journal,
            queries=LedgerQueries(session_factory),
            idempotency_store=IdempotencyStore(session_factory),
        )
        consumers.extend(
            [
                SubmissionConsumer(js, session_factory, topology, record, dead_letters, submission_spec()),
                ConsumerRunner(
                    js,
                    session_factory,
                    topology,
                    replica_consumer_spec(SERVICE_NAME),
                    apply_master_event,
                    dead_letters,
                ),
                ConsumerRunner(
                    js, session_factory, topology, PROMOTION_SPEC, apply_promotion_event, dead_letters
                ),
                ConsumerRunner(
                    js,
                    session_factory,
                    topology,
                    SHIPMENT_SPEC,
                    shipment_handler(PostShipment()),
                    dead_letters,
                ),
                ConsumerRunner(
                    js,
                    session_factory,
                    topology,
                    RETURN_DISPOSED_SPEC,
                    return_disposition_handler(PostReturnDisposition()),
                    dead_letters,
                ),
                ConsumerRunner(
                    js,
                    session_factory,
                    topology,
                    VARIANCE_SPEC,
                    variance_handler(PostVariance()),
                    dead_letters,
                ),
            ]
        )
        configure_process()
        for consumer in consumers:
            await consumer.bind()
            loops.start(consumer.spec.durable, consumer.run)
        loops.start("outbox_relay", OutboxRelay(session_factory, Publisher(js, topology)).run)
        loops.start("erp_export", export_loop(export_journal, float(_env("ERP_INTERVAL_S", "60") or 60)))
        if settings.inbox_dir:
            loops.start("folder_watcher", FolderWatcher(Path(settings.inbox_dir), record).run)

    async def stop() -> None:
        await loops.stop()
        await resolve(container.shutdown_resources)

    async def database_ready() -> str | None:
        return await database_check(await resolve(container.engine))()

    async def nats_ready() -> str | None:
        return await nats_check(await resolve(container.nats))()

    async def loops_ready() -> str | None:
        names = ["outbox_relay", *(consumer.spec.durable for consumer in consumers)]
        stopped = [name for name in names if not loops.running(name)]
        unbound = [consumer.spec.durable for consumer in consumers if not consumer.bound]
        if stopped or unbound or not consumers:
            return f"not running: {', '.join(stopped) or '-'}; not bound: {', '.join(unbound) or '-'}"
        return None

    def provide(name: str) -> Provide:
        return Provide(lambda: state[name], use_cache=True, sync_to_thread=False)

    api_key_store = ApiKeyStore(lambda: state["session_factory"]())  # type: ignore[arg-type, operator]
    return create_app(
        settings=settings,
        route_handlers=[SalesController, LedgerController],
        readiness_checks={"database": database_ready, "nats": nats_ready, "consumers": loops_ready},
        api_key_store=api_key_store,
        title="retail-sync order ledger",
        version="1.0.0",
        description="Sales, returns and exchanges from every channel posted once, balanced and traceable, "
        "with cost of goods sold on shipment and journal batches exported to the ERP.",
        dependencies={
            name: provide(name)
            for name in ("record_transactions", "export_journal", "queries", "idempotency_store")
        },
        on_startup=[start],
        on_shutdown=[stop],
    )
