"""A key bound to one channel (WEB) and legal entity (LE-US) cannot read or write another's data over REST,
gRPC or the console; approvers are never the author or proposer; keys are stored hashed and never logged.

Reads of another's data answer 404 (as if it did not exist) or 403; writes are refused naming the field."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import grpc
import httpx
import pytest
from access_seed import (
    AccessSystem,
    client,
    sale,
    seed_exceptions,
    seed_master_data,
    seed_promotion,
    seed_sales,
    seed_stock,
)
from retail_platform.dburl import libpq_url, with_database
from retail_platform.grpc_codegen import load_grpc_modules

pytestmark = pytest.mark.integration
NOW = "2026-01-01T12:00:00Z"


@pytest.fixture(scope="module")
def seeded(access: AccessSystem) -> dict[str, Any]:
    async def seed() -> dict[str, Any]:
        await seed_master_data(access.system)
        entries = await seed_sales(access.system)
        await seed_stock(access.system)
        deployments = await seed_promotion(access.system, access.keys)
        exceptions = await seed_exceptions(access.system)
        return {"entries": entries, "deployments": deployments, "exceptions": exceptions}

    return asyncio.run(seed())


def web(access: AccessSystem, service: str) -> httpx.AsyncClient:
    return client(access.system, service, access.keys["web"])


async def test_ledger_refuses_writes_and_reads_of_another_channel_or_legal_entity(
    access: AccessSystem, seeded: dict[str, Any]
) -> None:
    async with web(access, "order_ledger") as api:
        body = [
            sale("W-OK", "WEB", "DC1", "LE-US"),
            sale("W-CH", "STORE", "ST1", "LE-US"),
            sale("W-LE", "WEB", "DC1", "LE-DE"),
        ]
        outcomes = (await api.post("/v1/sales/transactions/batches", json=body)).json()["outcomes"]
        own_trace = await api.get("/v1/sales/orders/O-WEB-1/trace")
        other_trace = await api.get("/v1/sales/orders/O-DE-1/trace")
        own_entry = await api.get(f"/v1/ledger/entries/{seeded['entries']['O-WEB-1']}")
        other_entry = await api.get(f"/v1/ledger/entries/{seeded['entries']['O-DE-1']}")
        rejections = await api.get("/v1/sales/rejections")
    assert [(o["status"], [e["field"] for e in o.get("errors", [])]) for o in outcomes] == [
        ("posted", []),
        ("rejected", ["channel_id"]),
        ("rejected", ["legal_entity_id"]),
    ]
    assert (own_trace.status_code, other_trace.status_code) == (200, 404)
    assert (own_entry.status_code, other_entry.status_code) == (200, 404)
    assert rejections.status_code == 403


async def test_inventory_refuses_another_channel_over_rest_and_grpc(
    access: AccessSystem, seeded: dict[str, Any]
) -> None:
    async with web(access, "inventory") as api:
        own = await api.get("/v1/channels/WEB/availability", params={"sku": "LAMP"})
        other = await api.get("/v1/channels/STORE/availability", params={"sku": "LAMP"})
        positions = await api.get("/v1/positions/LAMP")
        reserve = await api.post(
            "/v1/reservations",
            json={"reservation_id": "r-web-st1", "sku": "LAMP", "node": "ST1", "qty": 1, "channel_id": "WEB"},
        )
    assert (own.status_code, other.status_code, positions.status_code) == (200, 403, 403)
    assert reserve.status_code == 403
    pb, pb_grpc = load_grpc_modules("retail_sync/inventory/v1/inventory.proto")
    port = access.system.services["inventory"].env["RETAIL_SYNC_INVENTORY_GRPC_PORT"]
    metadata = (("x-api-key", access.keys["web"]),)
    async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
        stub = pb_grpc.InventoryServiceStub(channel)
        answer = await stub.GetAvailability(
            pb.GetAvailabilityRequest(skus=["LAMP"], channel_id="WEB"), metadata=metadata
        )
        codes = []
        for request in (
            stub.GetAvailability(
                pb.GetAvailabilityRequest(skus=["LAMP"], channel_id="STORE"), metadata=metadata
            ),
            stub.GetAvailability(pb.GetAvailabilityRequest(skus=["LAMP"], nodes=["ST1"]), metadata=metadata),
            stub.Reserve(
                pb.ReserveRequest(
                    reservation_id="g-1", sku="LAMP", node="ST1", qty=1, ttl_seconds=60, channel_id="WEB"
                ),
                metadata=metadata,
            ),
        ):
            with pytest.raises(grpc.aio.AioRpcError) as refused:
                await request
            codes.append(refused.value.code())
    assert list(answer.nodes) == ["DC1"]
    assert codes == [grpc.StatusCode.PERMISSION_DENIED] * 3


async def test_promotion_refuses_another_channel_over_rest_and_grpc(
    access: AccessSystem, seeded: dict[str, Any]
) -> None:
    deployments = seeded["deployments"]
    cart = {
        "instant": "2026-01-01T12:00:00Z",
        "currency": "USD",
        "lines": [
            {
                "line_id": "a",
                "sku": "LAMP",
                "category_id": "HOME",
                "qty": 1,
                "unit_price": {"amount_minor": 1000, "currency": "USD"},
            }
        ],
    }
    async with web(access, "promotion") as api:
        own_eval = await api.post("/v1/evaluations", json=cart | {"channel": "WEB", "node": "DC1"})
        other_eval = await api.post("/v1/evaluations", json=cart | {"channel": "STORE", "node": "ST1"})
        own_payload = await api.get(f"/v1/deployments/{deployments['WEB']}/payload")
        other_payload = await api.get(f"/v1/deployments/{deployments['STORE']}/payload")
        other_ack = await api.post(f"/v1/deployments/{deployments['STORE']}/acknowledgements", json={})
    assert (own_eval.status_code, other_eval.status_code) == (200, 403)
    assert (own_payload.status_code, other_payload.status_code, other_ack.status_code) == (200, 404, 404)
    pb, pb_grpc = load_grpc_modules("retail_sync/promotion/v1/promotion.proto")
    port = access.system.services["promotion"].env["RETAIL_SYNC_PROMOTION_GRPC_PORT"]
    metadata = (("x-api-key", access.keys["web"]),)
    line = pb.CartLine(line_id="a", sku="LAMP", category_id="HOME", qty=1, unit_price_minor=1000)
    async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
        stub = pb_grpc.PromotionEvaluationStub(channel)
        own = await stub.EvaluateCart(
            pb.EvaluateCartRequest(channel="WEB", node="DC1", currency="USD", lines=[line], instant=NOW),
            metadata=metadata,
        )
        with pytest.raises(grpc.aio.AioRpcError) as other:
            await stub.EvaluateCart(
                pb.EvaluateCartRequest(
                    channel="STORE", node="ST1", currency="USD", lines=[line], instant=NOW
                ),
                metadata=metadata,
            )
    assert own.lines[0].line_id == "a"
    assert other.value.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_reconciliation_refuses_another_legal_entity(
    access: AccessSystem, seeded: dict[str, Any]
) -> None:
    foreign = seeded["exceptions"]["LE-DE"]
    async with web(access, "reconciliation") as api:
        upload = await api.post(
            "/v1/recon/files", params={"legal_entity_id": "LE-DE", "filename": "x.csv"}, content=b"x"
        )
        listed = await api.get("/v1/recon/exceptions")
        listed_other = await api.get("/v1/recon/exceptions", params={"legal_entity_id": "LE-DE"})
        read_other = await api.get(f"/v1/recon/exceptions/{foreign}")
        readiness = await api.get("/v1/recon/close-readiness/LE-DE/2026-01")
    assert upload.status_code == 403
    assert {case["legal_entity_id"] for case in listed.json()} == {"LE-US"}
    assert (listed_other.status_code, read_other.status_code, readiness.status_code) == (403, 403, 403)


async def test_the_console_shows_a_bound_key_only_its_own_data(
    access: AccessSystem, seeded: dict[str, Any]
) -> None:
    headers = {"X-API-Key": access.keys["web"]}
    async with httpx.AsyncClient(base_url=access.console_url, headers=headers, timeout=30) as console:
        own = await console.get("/api/trace/O-WEB-1")
        other = await console.get("/api/trace/O-DE-1")
        exceptions = await console.get("/api/recon/exceptions")
    assert own.status_code == 200, own.text
    assert other.status_code == 404, other.text
    assert "LE-DE" not in exceptions.text


async def test_approvers_are_never_the_author_or_the_proposer(
    access: AccessSystem, seeded: dict[str, Any]
) -> None:
    keys = access.keys
    async with client(access.system, "promotion", keys["alice"]) as alice:
        body = {
            "promotion_id": "SELF-1",
            "name": "Self approval",
            "mechanic": {"kind": "percent_off", "percent": "5"},
            "window": {"start": "2030-01-01T00:00:00Z", "end": "2030-01-02T00:00:00Z"},
            "scope": {"items": ["LAMP"], "channels": ["WEB"]},
        }
        assert (await alice.post("/v1/promotions", json=body)).status_code == 201
        assert (await alice.post("/v1/promotions/SELF-1/submit")).status_code == 200
        by_author = await alice.post("/v1/promotions/SELF-1/approve", json={"version": 1})
    exception = f"/v1/recon/exceptions/{seeded['exceptions']['LE-US']}"
    async with (
        client(access.system, "reconciliation", keys["alice"]) as alice,
        client(access.system, "reconciliation", keys["bob"]) as bob,
    ):
        assert (await alice.post(f"{exception}/assign", json={"owner": "alice"})).status_code == 200
        proposal = {
            "reason_code": "chargeback_accepted",
            "adjusting_entry": {"kind": "chargeback", "amount_minor": 4000, "currency": "USD"},
        }
        assert (await alice.post(f"{exception}/propose", json=proposal)).status_code == 200
        by_proposer = await alice.post(f"{exception}/approve")
        by_checker = await bob.post(f"{exception}/approve")
    assert by_author.status_code == 403
    assert [e["field"] for e in by_author.json()["errors"]] == ["approver"]
    assert by_proposer.status_code == 403
    assert by_checker.status_code == 200
    assert (by_checker.json()["proposed_by"], by_checker.json()["approved_by"]) == ("alice", "bob")


async def test_keys_are_stored_hashed_and_never_logged(access: AccessSystem, seeded: dict[str, Any]) -> None:
    system = access.system
    plaintexts = [*access.keys.values(), system.admin_key]
    secrets = [key.split("_", 2)[2] for key in plaintexts]
    for service in system.services:
        connection = await asyncpg.connect(
            libpq_url(with_database(system.database_url, system.database_name(service)))
        )
        try:
            rows = await connection.fetch("select to_jsonb(k)::text from api_keys k")
        finally:
            await connection.close()
        dump = " ".join(row[0] for row in rows)
        assert len(rows) == len(plaintexts), service
        assert not [secret for secret in secrets if secret in dump], service
    logs = system.logs() | {"console": (system.scratch / "console.log").read_text(errors="replace")}
    assert sum(len(text) for text in logs.values()) > 10_000  # the services did log (requests, consumers)
    leaked = {
        name: [k[:12] for k in plaintexts if k in text or k.split("_", 2)[2] in text]
        for name, text in logs.items()
    }
    assert leaked == {name: [] for name in logs}
