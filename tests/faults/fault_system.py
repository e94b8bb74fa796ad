"""The whole system on the fault suite's own servers: every service as its own process (`python -m
<service> migrate`, then `serve`), master data seeded through master_data's REST API, SQL look-ups into
each service's database for the count checks."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import nats
from retail_platform.api_keys import generate_api_key
from retail_platform.dburl import libpq_url, with_database
from retail_platform.embedded import free_port
from retail_sync_cli.loadgen import LoadPlan, LoadReport, LoadTarget, run_load
from retail_testing.service_process import ServiceProcess

SERVICES = ("master_data", "promotion", "inventory", "order_ledger", "reconciliation")
GRPC = ("promotion", "inventory")
NODE = "DC1"
LEGAL_ENTITY = "LE-US"
# A killed consumer's unacked batch comes back after its AckWait; where a service lets us, keep it short.
SERVICE_OPTIONS = {
    "inventory": {"RETAIL_SYNC_INVENTORY_MOVEMENTS_ACK_WAIT_S": "5"},
    "order_ledger": {"RETAIL_SYNC_ORDER_LEDGER_SUBMISSIONS_ACK_WAIT_S": "10"},
}


class System:
    def __init__(
        self,
        scratch: Path,
        database_url: str,
        nats_urls: tuple[str, ...],
        services: Iterable[str] = SERVICES,
        extra_env: dict[str, str] | None = None,
        database_suffix: str = "",
        namespace: str = "",
    ) -> None:
        self.scratch = scratch
        self.database_suffix = database_suffix
        self.namespace = namespace
        self.database_url = database_url
        self.nats_urls = nats_urls
        _, self.admin_key = generate_api_key()
        shared = {
            "RETAIL_SYNC_DATABASE_URL": database_url,
            "RETAIL_SYNC_NATS_URL": nats_urls[0],
            "RETAIL_SYNC_BOOTSTRAP_API_KEY": self.admin_key,
            "RETAIL_SYNC_LOG_LEVEL": "INFO",
            "RETAIL_SYNC_NATS_NAMESPACE": namespace,
        } | (extra_env or {})
        self.services: dict[str, ServiceProcess] = {}
        for name in services:
            env = shared | SERVICE_OPTIONS.get(name, {})
            env[f"RETAIL_SYNC_{name.upper()}_DATABASE_URL"] = with_database(
                database_url, self.database_name(name)
            )
            if name in GRPC:
                env[f"RETAIL_SYNC_{name.upper()}_GRPC_PORT"] = str(free_port())
            if name in ("master_data", "order_ledger", "reconciliation", "inventory"):
                env[f"RETAIL_SYNC_{name.upper()}_INBOX_DIR"] = str(scratch / name / "inbox")
            self.services[name] = ServiceProcess(name, env, scratch / f"{name}.log")

    # processes -----------------------------------------------------------------------------------
    def start(self) -> None:
        """Migrate (the first service creates the streams, the others then migrate side by side), start
        every service and wait until each is ready."""
        first, *others = self.services.values()
        first.migrate()
        with ThreadPoolExecutor(len(others) or 1) as pool:
            list(pool.map(ServiceProcess.migrate, others))
        with ThreadPoolExecutor(len(self.services)) as pool:
            list(pool.map(lambda process: process.start(ready_timeout_s=180), self.services.values()))

    def kill(self, name: str) -> None:
        self.services[name].kill()

    def restart(self, name: str) -> None:
        self.services[name].start()

    def stop(self) -> None:
        with ThreadPoolExecutor(len(self.services)) as pool:
            list(pool.map(ServiceProcess.stop, self.services.values()))

    def url(self, name: str) -> str:
        return self.services[name].base_url

    def logs(self) -> dict[str, str]:
        return {name: p.log_path.read_text(errors="replace") for name, p in self.services.items()}

    # data ----------------------------------------------------------------------------------------
    def database_name(self, service: str) -> str:
        return f"retail_{service}{self.database_suffix}"

    def database(self, service: str) -> str:
        return libpq_url(with_database(self.database_url, self.database_name(service)))

    async def rows(self, service: str, sql: str, *args: Any) -> list[asyncpg.Record]:
        deadline = time.monotonic() + 60
        while True:  # the suite restarts PostgreSQL: a look-up waits for it like the services do
            try:
                connection = await asyncpg.connect(self.database(service), timeout=5)
                break
            except (OSError, asyncpg.PostgresError):
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.2)
        try:
            return list(await connection.fetch(sql, *args))
        finally:
            await connection.close()

    async def scalar(self, service: str, sql: str, *args: Any) -> Any:
        return (await self.rows(service, sql, *args))[0][0]

    def target(self) -> LoadTarget:
        return LoadTarget(self.nats_urls, self.namespace, self.url("reconciliation"), self.admin_key)

    async def drop(self) -> None:
        """Remove the databases and (namespaced) streams: for a system on shared servers."""
        admin = await asyncpg.connect(libpq_url(self.database_url))
        try:
            for name in self.services:
                await admin.execute(f'DROP DATABASE IF EXISTS "{self.database_name(name)}" WITH (FORCE)')
        finally:
            await admin.close()
        if self.namespace:
            client = await nats.connect(list(self.nats_urls))
            try:
                js = client.jetstream()
                for stream in await js.streams_info():
                    if stream.config.name and stream.config.name.startswith(self.namespace.upper() + "_"):
                        await js.delete_stream(stream.config.name)
            finally:
                await client.close()

    async def load(self, plan: LoadPlan) -> LoadReport:
        return await run_load(plan, self.target())

    async def seed_master_data(self, plan: LoadPlan) -> None:
        """The legal entity, node, channel, and the plan's items with a cost, through master_data's REST
        API; waits until inventory and the ledger have them in their replicas."""
        records = {
            "legal_entity": [
                {
                    "legal_entity_id": LEGAL_ENTITY,
                    "name": "Retail US",
                    "country": "US",
                    "functional_currency": "USD",
                    "chart_id": "US-GAAP",
                    "timezone": "UTC",
                }
            ],
            "channel": [
                {
                    "channel_id": plan.channel_id,
                    "name": "Web",
                    "kind": "ecommerce",
                    "legal_entity_id": LEGAL_ENTITY,
                    "currency": "USD",
                }
            ],
            "node": [
                {
                    "node_id": plan.node,
                    "name": "DC one",
                    "kind": "dc",
                    "region": "US",
                    "legal_entity_id": LEGAL_ENTITY,
                    "timezone": "UTC",
                    "serves_channels": [plan.channel_id],
                }
            ],
            "item": [
                {"sku": sku, "name": f"Item {sku}", "category_id": "HOME", "tax_class": "standard"}
                for sku in plan.skus
            ],
            "item_cost": [
                {
                    "sku": sku,
                    "legal_entity_id": LEGAL_ENTITY,
                    "unit_cost": {"amount_minor": 400, "currency": "USD"},
                    "effective_from": "2020-01-01T00:00:00Z",
                }
                for sku in plan.skus
            ],
        }
        headers = {"X-API-Key": self.admin_key}
        async with httpx.AsyncClient(base_url=self.url("master_data"), headers=headers, timeout=30) as api:
            for record_type, batch in records.items():
                response = await api.post(f"/v1/master/{record_type}/batches", json={"records": batch})
                assert response.status_code == 200, response.text
                assert response.json()["rejected"] == 0, response.text
        skus = list(plan.skus)
        for service in ("inventory", "order_ledger"):
            await self.wait_until(
                service,
                "select count(*) from master_replica where record_type = 'item_cost' "
                "and content->>'sku' = any($1::text[])",
                len(skus),
                skus,
            )

    async def wait_until(
        self, service: str, sql: str, expected: int, *args: Any, timeout_s: float = 60
    ) -> int:
        deadline = time.monotonic() + timeout_s
        value = -1
        while time.monotonic() < deadline:
            value = int(await self.scalar(service, sql, *args))
            if value >= expected:
                return value
            await asyncio.sleep(0.2)
        raise AssertionError(f"{service}: {sql} gave {value}, expected {expected}")
