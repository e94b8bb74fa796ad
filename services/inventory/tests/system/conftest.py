"""The inventory service as its own process (HTTP + gRPC + NATS consumers) on real PostgreSQL and NATS,
shared by the system tests, with master data (nodes, items, a cost) published on the MASTER stream."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import grpc
import httpx
import msgspec
import nats
import pytest
from canon.envelope import Envelope
from canon.ids import deterministic_id
from canon.inventory import MOVEMENT_SUBMITTED
from canon.master.events import master_event_type, upserted
from canon.master.network import Channel, Node
from canon.master.product import Item, ItemCost
from canon.money import Money
from messaging.topology import Topology
from nats.aio.client import Client as NatsClient
from retail_platform.api_keys import ApiKeyStore
from retail_platform.database import create_engine, session_factory
from retail_platform.embedded import free_port
from retail_platform.grpc_codegen import load_grpc_modules
from retail_platform.principal import ApiKeyBindings
from retail_testing.service_process import RunningService, running_service
from sqlalchemy import text

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
NODES = [
    Node(node_id="DC1", name="DC one", kind="dc", region="EU", legal_entity_id="LE-EU", timezone="UTC",
         serves_channels=["WEB"]),
    Node(node_id="DC2", name="DC two", kind="dc", region="EU", legal_entity_id="LE-EU", timezone="UTC",
         serves_channels=["WEB"]),
    Node(node_id="ST1", name="Store one", kind="store", region="EU", legal_entity_id="LE-EU", timezone="UTC",
         serves_channels=["STORE"]),
]  # fmt: skip
SKUS = [
    "LAMP", "CHAIR", "HOT", "BULK", "RELAY",
    *(f"KILL-{n}" for n in range(10)), *(f"NATS-{n}" for n in range(3)),
]  # fmt: skip
COST = ItemCost(sku="LAMP", legal_entity_id="LE-EU", unit_cost=Money(1250, "EUR"), effective_from=T0)


class Inventory:
    """Helpers over the running service: HTTP, gRPC stubs, NATS publishing and SQL look-ups."""

    def __init__(self, service: RunningService, grpc_port: int, nc: NatsClient) -> None:
        self.service = service
        self.grpc_port = grpc_port
        self.nc = nc
        self.js = nc.jetstream()
        self.topology = Topology(service.namespace)
        self.engine = create_engine(service.database_url)
        self.keys = ApiKeyStore(session_factory(self.engine))
        self.pb, self.pb_grpc = load_grpc_modules("retail_sync/inventory/v1/inventory.proto")

    def http(self, key: str | None = None) -> httpx.AsyncClient:
        headers = {"X-API-Key": key or self.service.admin_key}
        return httpx.AsyncClient(base_url=self.service.process.base_url, headers=headers, timeout=30)

    def stub(self) -> tuple[grpc.aio.Channel, Any]:
        channel = grpc.aio.insecure_channel(f"127.0.0.1:{self.grpc_port}")
        return channel, self.pb_grpc.InventoryServiceStub(channel)

    async def key(self, *scopes: str, channels: tuple[str, ...] = ()) -> str:
        _, plaintext = await self.keys.create("test", scopes, ApiKeyBindings(channels=channels))
        return plaintext

    async def scalar(self, sql: str, **params: Any) -> Any:
        async with self.engine.connect() as connection:
            return (await connection.execute(text(sql), params)).scalar()

    async def publish_movement(self, record: dict[str, Any], event_id: str | None = None) -> None:
        envelope = MOVEMENT_SUBMITTED.envelope(
            "wms",
            subject=record.get("sku"),
            id=event_id or deterministic_id("test", record["idempotency_key"]),
        )
        await self.js.publish(
            self.topology.subject(MOVEMENT_SUBMITTED.subject), msgspec.json.encode(record),
            headers=envelope.to_headers(),
        )  # fmt: skip

    async def publish_master(self, record: Any, version: int = 1) -> None:
        payload = upserted(record, version=version, changed_at=T0)
        event_type = master_event_type(payload.record_type)
        envelope: Envelope = event_type.envelope("master_data", subject=payload.key)
        await self.js.publish(
            self.topology.subject(event_type.subject),
            event_type.encode(payload),
            headers=envelope.to_headers(),
        )

    async def wait_for(self, sql: str, expected: Any, timeout_s: float = 20.0, **params: Any) -> Any:
        deadline = time.monotonic() + timeout_s
        while True:
            value = await self.scalar(sql, **params)
            if value == expected or time.monotonic() > deadline:
                return value
            await asyncio.sleep(0.1)


@pytest.fixture(scope="session")
def inventory_service(
    postgres_server_url: str, nats_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[RunningService, int]]:
    scratch = tmp_path_factory.mktemp("inventory")
    grpc_port = free_port()
    env = {
        "RETAIL_SYNC_INVENTORY_GRPC_PORT": str(grpc_port),
        "RETAIL_SYNC_INVENTORY_INBOX_DIR": str(scratch / "inbox"),
        "RETAIL_SYNC_INVENTORY_DRIFT_MAX_UNITS": "3",
        "RETAIL_SYNC_INVENTORY_EXPIRY_INTERVAL_S": "0.2",
        "RETAIL_SYNC_INVENTORY_MOVEMENTS_ACK_WAIT_S": "3",
    }
    with running_service(
        "inventory", server_url=postgres_server_url, nats_url=nats_url, scratch=scratch, extra_env=env
    ) as running:
        yield running, grpc_port


@pytest.fixture
async def inv(inventory_service: tuple[RunningService, int], nats_url: str) -> AsyncIterator[Inventory]:
    service, grpc_port = inventory_service
    nc = await nats.connect(nats_url)
    helper = Inventory(service, grpc_port, nc)
    try:
        started = time.monotonic()
        if await helper.scalar("select count(*) from master_replica where record_type = 'item'") < len(SKUS):
            for node in NODES:
                await helper.publish_master(node)
            await helper.publish_master(Channel(channel_id="WEB", name="Web", kind="ecommerce",
                                                legal_entity_id="LE-EU", currency="EUR"))  # fmt: skip
            for sku in SKUS:
                await helper.publish_master(Item(sku=sku, name=f"Item {sku}", category_id="HOME"))
            await helper.publish_master(COST)
            replicated = await helper.wait_for(
                "select count(*) from master_replica where record_type in ('item', 'node', 'item_cost')",
                len(SKUS) + len(NODES) + 1,
            )
            assert replicated == len(SKUS) + len(NODES) + 1
            print(f"master data replicated in {time.monotonic() - started:.1f}s")
        yield helper
    finally:
        await helper.engine.dispose()
        await nc.close()
