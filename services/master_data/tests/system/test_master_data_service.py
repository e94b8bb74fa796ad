"""master_data as its own process on real PostgreSQL and NATS: the foundation's acceptance checks."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from canon.envelope import Envelope
from canon.events import master_event_type
from messaging.topology import Topology
from nats.aio.client import Client as NatsClient
from retail_testing.service_process import RunningService, running_service

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def service(
    postgres_server_url: str, nats_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningService]:
    scratch = tmp_path_factory.mktemp("master_data")
    inbox = {"RETAIL_SYNC_MASTER_DATA_INBOX_DIR": str(scratch / "inbox")}
    with running_service(
        "master_data", server_url=postgres_server_url, nats_url=nats_url, scratch=scratch, extra_env=inbox
    ) as running:
        yield running


@pytest.fixture
async def api(service: RunningService) -> AsyncIterator[httpx.AsyncClient]:
    headers = {"X-API-Key": service.admin_key}
    async with httpx.AsyncClient(base_url=service.process.base_url, headers=headers) as client:
        yield client


def item(sku: str, **changes: object) -> dict[str, object]:
    return {"sku": sku, "name": f"Item {sku}", "category_id": "LIGHTING", "tax_class": "standard"} | changes


async def test_ready_and_openapi_are_served(api: httpx.AsyncClient) -> None:
    ready = await api.get("/health/ready")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready"
    openapi = await api.get("/schema/openapi.json")
    assert openapi.status_code == 200
    assert "/v1/master/{record_type}/batches" in openapi.json()["paths"]


async def test_bulk_upsert_stores_good_records_and_names_the_bad_one(api: httpx.AsyncClient) -> None:
    body = {"records": [item("BULK-1"), item("BULK-2", status="gone"), item("BULK-3")]}
    response = await api.post("/v1/master/item/batches", json=body)
    assert response.status_code == 200
    result = response.json()
    assert (result["accepted"], result["rejected"]) == (2, 1)
    bad = result["outcomes"][1]
    assert bad["position"] == 2
    assert bad["status"] == "rejected"
    assert bad["errors"][0]["field"] == "status"
    assert (await api.get("/v1/master/item/BULK-1")).json()["version"] == 1
    assert (await api.get("/v1/master/item/BULK-2")).status_code == 404
    listed = (await api.get("/v1/master/item", params={"limit": 1, "after": "BULK-0"})).json()
    assert [i["key"] for i in listed["items"]] == ["BULK-1"]
    assert listed["next_after"] == "BULK-1"


async def test_idempotency_key_replays_the_first_response(api: httpx.AsyncClient) -> None:
    body = {"records": [item("IDEM-1")]}
    first = await api.post("/v1/master/item/batches", json=body, headers={"Idempotency-Key": "k-1"})
    again = await api.post("/v1/master/item/batches", json=body, headers={"Idempotency-Key": "k-1"})
    assert again.content == first.content
    assert again.headers["Idempotency-Replayed"] == "true"
    other = await api.post(
        "/v1/master/item/batches", json={"records": [item("LAMP-9")]}, headers={"Idempotency-Key": "k-1"}
    )
    assert other.status_code == 422
    assert other.headers["content-type"].startswith("application/problem+json")


async def test_changes_are_versioned_and_published_once_each(
    api: httpx.AsyncClient, nats_client: NatsClient, service: RunningService
) -> None:
    await api.post("/v1/master/item/batches", json={"records": [item("LAMP-1")]})
    await api.post("/v1/master/item/batches", json={"records": [item("LAMP-1")]})  # unchanged
    await api.post("/v1/master/item/batches", json={"records": [item("LAMP-1", name="Desk lamp")]})
    history = (await api.get("/v1/master/item/LAMP-1/versions")).json()
    assert [(v["version"], v["record"]["name"]) for v in history] == [(1, "Item LAMP-1"), (2, "Desk lamp")]

    topology = Topology(service.namespace)
    subject = topology.subject("retail.master.item_upserted.v1")
    js = nats_client.jetstream()
    subscription = await js.pull_subscribe(subject, stream=topology.stream("MASTER").name)
    events: list[tuple[Envelope, int]] = []
    for _ in range(50):
        try:
            for message in await subscription.fetch(10, timeout=0.5):
                envelope = Envelope.from_headers(message.headers or {})
                if envelope.subject == "LAMP-1":
                    events.append((envelope, master_event_type("item").decode(message.data).version))
                await message.ack()
        except TimeoutError:
            pass
        if len(events) >= 2:
            break
        await asyncio.sleep(0.1)
    assert [version for _, version in events] == [1, 2]
    assert all(envelope.subject == "LAMP-1" for envelope, _ in events)


async def test_csv_import_names_bad_lines(api: httpx.AsyncClient) -> None:
    csv = b"category_id,name,parent_id\nLIGHTING,Lighting,\n,Nameless,\nLAMPS,Lamps,LIGHTING\n"
    response = await api.post(
        "/v1/master/category/imports",
        params={"filename": "categories.csv"},
        content=csv,
        headers={"Content-Type": "text/csv"},
    )
    assert response.status_code == 200
    outcomes = response.json()["outcomes"]
    assert [(o["position"], o["status"]) for o in outcomes] == [
        (2, "created"),
        (3, "rejected"),
        (4, "created"),
    ]
    assert outcomes[1]["errors"][0]["field"] == "category_id"


async def test_dropped_file_is_imported_and_moved(api: httpx.AsyncClient, service: RunningService) -> None:
    inbox = Path(service.process.env["RETAIL_SYNC_MASTER_DATA_INBOX_DIR"])
    drop = inbox / "channel" / "channels.json"
    for _ in range(50):
        if drop.parent.is_dir():
            break
        await asyncio.sleep(0.1)
    drop.write_bytes(
        b'[{"channel_id": "ECOM", "name": "Web shop", "kind": "ecommerce", '
        b'"legal_entity_id": "LE-US", "currency": "USD"}]'
    )
    for _ in range(100):
        if (await api.get("/v1/master/channel/ECOM")).status_code == 200:
            break
        await asyncio.sleep(0.1)
    assert (await api.get("/v1/master/channel/ECOM")).json()["record"]["kind"] == "ecommerce"
    processed = list((inbox / "channel" / "processed").glob("*.outcomes.json"))
    assert len(processed) == 1
    assert not drop.exists()


async def test_requests_without_a_valid_key_are_refused(service: RunningService) -> None:
    async with httpx.AsyncClient(base_url=service.process.base_url) as anonymous:
        missing = await anonymous.get("/v1/master/item")
        wrong = await anonymous.get(
            "/v1/master/item", headers={"X-API-Key": "rs_0123456789abcdef_" + "x" * 40}
        )
    assert missing.status_code == 401
    assert wrong.status_code == 401
    assert missing.headers["content-type"].startswith("application/problem+json")


async def test_kill_9_loses_no_event(
    api: httpx.AsyncClient, nats_client: NatsClient, service: RunningService
) -> None:
    """Records committed just before a SIGKILL are published once after the restart (outbox + relay)."""
    records = [item(f"KILL-{n:03}") for n in range(200)]
    response = await api.post("/v1/master/item/batches", json={"records": records})
    assert response.json()["accepted"] == 200
    service.process.kill()
    service.process.start()

    topology = Topology(service.namespace)
    js = nats_client.jetstream()
    subscription = await js.pull_subscribe(
        topology.subject("retail.master.item_upserted.v1"), stream=topology.stream("MASTER").name
    )
    seen: list[str] = []
    for _ in range(100):
        try:
            for message in await subscription.fetch(100, timeout=0.5):
                envelope = Envelope.from_headers(message.headers or {})
                if envelope.subject and envelope.subject.startswith("KILL-"):
                    seen.append(envelope.subject)
                await message.ack()
        except TimeoutError:
            if len(seen) >= 200:
                break
    assert sorted(seen) == sorted(r["sku"] for r in records)  # each exactly once
