"""Channel and store-cluster bindings of API keys on the promotion API, over the real HTTP app (the
service as its own process on real PostgreSQL and NATS):

- a bound key reads a promotion, a version, its audit trail and its deployments only when some version
  reaches its channels (clusters); a promotion for every channel (cluster) is visible; any other
  answers 404, as if it did not exist;
- a key bound to store clusters authors and moves through the lifecycle only promotions scoped within
  its clusters (403 naming `scope.store_clusters`), as a key bound to channels does with channels.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from canon.events import master_event_type, upserted
from canon.ids import new_id
from canon.master.network import Channel
from canon.master.product import Category, Item
from messaging.publisher import Publisher
from messaging.topology import Topology
from retail_platform.api_keys import ApiKeyStore
from retail_platform.database import create_engine, session_factory
from retail_platform.embedded import free_port
from retail_platform.principal import ApiKeyBindings
from retail_testing.service_process import RunningService, running_service

pytestmark = pytest.mark.integration

NOW = datetime.now(UTC).replace(microsecond=0)
START = (NOW + timedelta(days=14)).replace(hour=0, minute=0, second=0)
READ = ["promotion:read"]
AUTHOR = ["promotion:write", "promotion:approve", "promotion:read"]


@pytest.fixture(scope="module")
def service(
    postgres_server_url: str, nats_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningService]:
    scratch = tmp_path_factory.mktemp("promotion-bindings")
    env = {
        "RETAIL_SYNC_PROMOTION_GRPC_PORT": str(free_port()),
        "RETAIL_SYNC_PROMOTION_CHANNEL_ENDPOINTS": json.dumps({"*": {"transport": "nats"}}),
    }
    with running_service(
        "promotion", server_url=postgres_server_url, nats_url=nats_url, scratch=scratch, extra_env=env
    ) as running:
        yield running


@pytest.fixture(scope="module")
def keys(service: RunningService) -> dict[str, str]:
    async def create() -> dict[str, str]:
        engine = create_engine(service.database_url)
        store = ApiKeyStore(session_factory(engine))
        made: dict[str, tuple[list[str], ApiKeyBindings]] = {
            "admin": (AUTHOR, ApiKeyBindings()),
            "checker": (AUTHOR, ApiKeyBindings()),
            "ecom_reader": (READ, ApiKeyBindings(channels=("ECOM",))),
            "metro_reader": (READ, ApiKeyBindings(store_clusters=("METRO",))),
            "metro_author": (AUTHOR, ApiKeyBindings(store_clusters=("METRO",))),
        }
        try:
            return {
                name: (await store.create(name, scopes, bound))[1] for name, (scopes, bound) in made.items()
            }
        finally:
            await engine.dispose()

    return asyncio.run(create())


@pytest.fixture(scope="module")
def master_data(service: RunningService) -> None:
    records: list[Any] = [
        Category(category_id="SNACKS", name="Snacks"),
        Item(sku="CHIPS", name="Chips", category_id="SNACKS", tax_class="food"),
        Channel(channel_id="STORES", name="Stores", kind="store", legal_entity_id="LE-US", currency="USD"),
        Channel(channel_id="ECOM", name="Web", kind="ecommerce", legal_entity_id="LE-US", currency="USD"),
        Channel(
            channel_id="AMAZON", name="Amazon", kind="marketplace", legal_entity_id="LE-US", currency="USD"
        ),
    ]

    async def publish() -> None:
        import nats

        client = await nats.connect(service.process.env["RETAIL_SYNC_NATS_URL"])
        publisher = Publisher(client.jetstream(), Topology(service.namespace))
        for record in records:
            event_type = master_event_type(type(record).__name__.lower())
            envelope = event_type.envelope("/test/erp", subject=record.key, id=new_id())
            await publisher.publish(envelope, event_type.encode(upserted(record, version=1, changed_at=NOW)))
        await client.close()

    asyncio.run(publish())


def client(service: RunningService, key: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=service.process.base_url, headers={"X-API-Key": key}, timeout=10)


@pytest.fixture
async def admin(
    service: RunningService, keys: dict[str, str], master_data: None
) -> AsyncIterator[httpx.AsyncClient]:
    async with client(service, keys["admin"]) as api:
        yield api


def body(promotion_id: str, **scope: list[str]) -> dict[str, Any]:
    return {
        "promotion_id": promotion_id,
        "name": f"Promotion {promotion_id}",
        "window": {"start": START.isoformat(), "end": (START + timedelta(days=2)).isoformat()},
        "mechanic": {"kind": "buy_x_get_y", "buy_qty": 1, "get_qty": 1},
        "scope": {"items": ["CHIPS"], **scope},
    }


async def create(api: httpx.AsyncClient, payload: dict[str, Any]) -> httpx.Response:
    """The replica fills asynchronously: retry while master data is still arriving."""
    deadline = asyncio.get_running_loop().time() + 20
    while True:
        response = await api.post("/v1/promotions", json=payload)
        waiting = response.status_code == 422 and "not in master data" in response.text
        if not waiting or asyncio.get_running_loop().time() > deadline:
            return response
        await asyncio.sleep(0.2)


async def reads(api: httpx.AsyncClient, promotion_id: str) -> list[int]:
    """Status codes of the promotion, its version 1, its audit trail and its deployments."""
    paths = ("", "/versions/1", "/audit", "/deployments")
    return [(await api.get(f"/v1/promotions/{promotion_id}{path}")).status_code for path in paths]


async def test_a_key_bound_to_channels_reads_only_promotions_that_reach_them(
    service: RunningService, keys: dict[str, str], admin: httpx.AsyncClient
) -> None:
    for payload in (
        body("R-ECOM", channels=["ECOM"]),
        body("R-AMAZON", channels=["AMAZON"]),
        body("R-BOTH", channels=["AMAZON", "ECOM"]),
        body("R-EVERY-CHANNEL"),
        body("R-MOVED", channels=["AMAZON"]),
    ):
        created = await create(admin, payload)
        assert created.status_code == 201, created.text
    edited = await admin.post(
        "/v1/promotions/R-MOVED/versions",
        json={"changes": {"scope": {"items": ["CHIPS"], "channels": ["ECOM"]}}},
    )
    assert edited.status_code == 201, edited.text

    async with client(service, keys["ecom_reader"]) as ecom:
        for visible in ("R-ECOM", "R-BOTH", "R-EVERY-CHANNEL", "R-MOVED"):
            assert await reads(ecom, visible) == [200] * 4, visible
        assert await reads(ecom, "R-AMAZON") == [404] * 4
        hidden = (await ecom.get("/v1/promotions/R-AMAZON")).json()
        absent = (await ecom.get("/v1/promotions/NO-SUCH")).json()  # the same answer as for no promotion
        assert (hidden["title"], hidden["detail"].replace("R-AMAZON", "NO-SUCH")) == (
            absent["title"],
            absent["detail"],
        )
        assert (await ecom.get("/v1/promotions/R-MOVED/versions/1")).json()["content"]["scope"][
            "channels"
        ] == ["AMAZON"]
    assert await reads(admin, "R-AMAZON") == [200] * 4


async def test_a_key_bound_to_store_clusters_reads_only_promotions_that_reach_them(
    service: RunningService, keys: dict[str, str], admin: httpx.AsyncClient
) -> None:
    for payload in (
        body("C-METRO", channels=["STORES"], store_clusters=["METRO"]),
        body("C-RURAL", channels=["STORES"], store_clusters=["RURAL"]),
        body("C-EVERY-CLUSTER", channels=["STORES"]),
    ):
        created = await create(admin, payload)
        assert created.status_code == 201, created.text
    async with client(service, keys["metro_reader"]) as metro:
        assert await reads(metro, "C-METRO") == [200] * 4
        assert await reads(metro, "C-EVERY-CLUSTER") == [200] * 4
        assert await reads(metro, "C-RURAL") == [404] * 4


async def test_a_key_bound_to_store_clusters_authors_only_within_them(
    service: RunningService, keys: dict[str, str], admin: httpx.AsyncClient
) -> None:
    async with client(service, keys["metro_author"]) as author, client(service, keys["checker"]) as checker:
        wide = await create(author, body("A-WIDE", store_clusters=["METRO", "RURAL"]))
        assert wide.status_code == 403, wide.text
        assert wide.headers["content-type"].startswith("application/problem+json")
        assert [e["field"] for e in wide.json()["errors"]] == ["scope.store_clusters['RURAL']"]
        everywhere = await create(author, body("A-EVERYWHERE"))
        assert everywhere.status_code == 403, everywhere.text
        assert [e["field"] for e in everywhere.json()["errors"]] == ["scope.store_clusters"]
        assert (await admin.get("/v1/promotions/A-WIDE")).status_code == 404  # nothing stored
        assert (await admin.get("/v1/promotions/A-EVERYWHERE")).status_code == 404

        own = await create(author, body("A-METRO", channels=["STORES"], store_clusters=["METRO"]))
        assert own.status_code == 201, own.text
        widened = await author.post(
            "/v1/promotions/A-METRO/versions",
            json={"changes": {"scope": {"items": ["CHIPS"], "store_clusters": ["METRO", "RURAL"]}}},
        )
        assert widened.status_code == 403, widened.text
        assert [e["field"] for e in widened.json()["errors"]] == ["scope.store_clusters['RURAL']"]
        assert (await author.post("/v1/promotions/A-METRO/submit")).status_code == 200
        assert (await checker.post("/v1/promotions/A-METRO/approve")).status_code == 200

        other = await create(admin, body("A-RURAL", channels=["STORES"], store_clusters=["RURAL"]))
        assert other.status_code == 201, other.text
        refused = await author.post("/v1/promotions/A-RURAL/submit")
        assert refused.status_code == 403, refused.text
        assert [e["field"] for e in refused.json()["errors"]] == ["scope.store_clusters['RURAL']"]
        edit = await author.post("/v1/promotions/A-RURAL/versions", json={"changes": {"name": "renamed"}})
        assert edit.status_code == 403, edit.text
        assert (await admin.post("/v1/promotions/A-RURAL/submit")).status_code == 200
        assert (await author.post("/v1/promotions/A-RURAL/approve")).status_code == 403
        assert (await checker.post("/v1/promotions/A-RURAL/approve")).status_code == 200
