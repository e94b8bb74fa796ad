"""The console app against real services (master_data, promotion, reconciliation as their own
processes on real PostgreSQL and NATS, sharing one namespace and admin key as under `retail-sync up`).

inventory's URL points at master_data (which offers no drift operation: the panel must say "not
available"), order_ledger's at a closed port (unreachable)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import msgspec
import nats
import pytest
from canon.master.finance import LegalEntity
from console.bootstrap import build_app
from console.settings import load_console_settings
from litestar.testing import AsyncTestClient
from messaging.topology import Topology
from retail_platform.api_keys import ApiKeyStore, generate_api_key
from retail_platform.database import create_engine, session_factory
from retail_platform.embedded import free_port
from retail_platform.principal import ApiKeyBindings
from retail_testing.service_process import RunningService, running_service

pytestmark = pytest.mark.integration
PERIOD = f"{datetime.now(UTC):%Y-%m}"
TODAY = f"{datetime.now(UTC):%Y-%m-%d}"
ADYEN_HEADER = (
    "Company Account,Merchant Account,Psp Reference,Merchant Reference,Payment Method,Creation Date,TimeZone,"
    "Type,Modification Reference,Gross Currency,Gross Debit (GC),Gross Credit (GC),Exchange Rate,"
    "Net Currency,Net Debit (NC),Net Credit (NC),Commission (NC),Markup (NC),Scheme Fees (NC),"
    "Interchange (NC),Payment Method Variant,Modification Merchant Reference,Batch Number,Reserved4,"
    "Reserved5,Reserved6,Reserved7,Reserved8,Reserved9,Reserved10"
)
READS = ["master:read", "promotion:read", "inventory:read", "sales:read", "ledger:read", "recon:read"]
PEOPLE = {
    "viewer": ("vic", READS),
    "proposer": ("pat", [*READS, "recon:resolve"]),
    "approver": ("quinn", [*READS, "recon:resolve", "recon:approve"]),
    "bound_operator": ("olga", [*READS, "ops:dlq"]),
}
BINDINGS = {"bound_operator": ApiKeyBindings(legal_entities=("LE-NL",))}


def chargeback_file(psp: str, amount: str, batch: str) -> bytes:
    row = (
        f"Shop,ShopEU,{psp},,visa,{TODAY} 10:00:00,UTC,Chargeback,{psp},EUR,{amount},,1,EUR,{amount},,,,,,"
        f"visa,,{batch},,,,,,,"
    )
    return f"{ADYEN_HEADER}\n{row}\n".encode()


@dataclass
class System:
    services: dict[str, RunningService]
    admin_key: str
    keys: dict[str, str]
    namespace: str
    nats_url: str


async def install_keys(services: dict[str, RunningService]) -> dict[str, str]:
    """The same key plaintexts in every service's database (keys are per service database)."""
    keys = {name: generate_api_key()[1] for name in PEOPLE}
    for service in services.values():
        engine = create_engine(service.database_url)
        try:
            store = ApiKeyStore(session_factory(engine))
            for name, (owner, scopes) in PEOPLE.items():
                await store.install(
                    keys[name], owner=owner, scopes=scopes, bindings=BINDINGS.get(name, ApiKeyBindings())
                )
        finally:
            await engine.dispose()
    return keys


async def delete_streams(nats_url: str, namespace: str) -> None:
    client = await nats.connect(nats_url)
    try:
        js = client.jetstream()
        for stream in await js.streams_info():
            if stream.config.name and stream.config.name.startswith(namespace.upper() + "_"):
                await js.delete_stream(stream.config.name)
    finally:
        await client.close()


@pytest.fixture(scope="module")
def system(
    postgres_server_url: str, nats_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[System]:
    scratch = tmp_path_factory.mktemp("console")
    namespace = f"t{uuid.uuid4().hex[:10]}"
    _, admin_key = generate_api_key()
    shared = {"RETAIL_SYNC_NATS_NAMESPACE": namespace, "RETAIL_SYNC_BOOTSTRAP_API_KEY": admin_key}
    with ExitStack() as stack:
        stack.callback(lambda: asyncio.run(delete_streams(nats_url, namespace)))
        services = {}
        for module in ("master_data", "promotion", "reconciliation"):
            extra = dict(shared)
            if module == "promotion":
                extra["RETAIL_SYNC_PROMOTION_GRPC_PORT"] = str(free_port())
            services[module] = stack.enter_context(
                running_service(
                    module,
                    server_url=postgres_server_url,
                    nats_url=nats_url,
                    scratch=scratch,
                    extra_env=extra,
                )
            )
        keys = asyncio.run(install_keys(services))
        yield System(services, admin_key, keys, namespace, nats_url)


@pytest.fixture(scope="module")
def seeded(system: System) -> dict[str, Any]:
    """Two legal entities in master data; one chargeback exception in LE-NL."""

    async def seed() -> dict[str, Any]:
        headers = {"X-API-Key": system.admin_key}
        master = system.services["master_data"].process.base_url
        recon = system.services["reconciliation"].process.base_url
        async with httpx.AsyncClient(headers=headers, timeout=30) as api:
            entities = [
                LegalEntity(
                    legal_entity_id="LE-NL",
                    name="Retail NL B.V.",
                    country="NL",
                    functional_currency="EUR",
                    chart_id="EU",
                    timezone="Europe/Amsterdam",
                ),
                LegalEntity(
                    legal_entity_id="LE-US",
                    name="Retail US Inc.",
                    country="US",
                    functional_currency="USD",
                    chart_id="US",
                    timezone="America/New_York",
                ),
            ]
            body = {"records": msgspec.to_builtins(entities)}
            stored = await api.post(f"{master}/v1/master/legal_entity/batches", json=body)
            assert stored.status_code == 200, stored.text
            upload = await api.post(
                f"{recon}/v1/recon/files",
                params={"legal_entity_id": "LE-NL", "filename": "cb.csv", "channel_id": "WEB-NL"},
                content=chargeback_file("CB-CONSOLE-1", "40.00", "71"),
            )
            assert upload.status_code == 201, upload.text
            [case] = (
                await api.get(f"{recon}/v1/recon/exceptions", params={"legal_entity_id": "LE-NL"})
            ).json()
        return case  # type: ignore[no-any-return]

    return asyncio.run(seed())


@pytest.fixture
async def console(system: System) -> AsyncIterator[AsyncTestClient[Any]]:
    environ = {
        "RETAIL_SYNC_NATS_URL": system.nats_url,
        "RETAIL_SYNC_NATS_NAMESPACE": system.namespace,
        "RETAIL_SYNC_CONSOLE_MASTER_DATA_URL": system.services["master_data"].process.base_url,
        "RETAIL_SYNC_CONSOLE_PROMOTION_URL": system.services["promotion"].process.base_url,
        "RETAIL_SYNC_CONSOLE_RECONCILIATION_URL": system.services["reconciliation"].process.base_url,
        "RETAIL_SYNC_CONSOLE_INVENTORY_URL": system.services["master_data"].process.base_url,
        "RETAIL_SYNC_CONSOLE_ORDER_LEDGER_URL": f"http://127.0.0.1:{free_port()}",
    }
    async with AsyncTestClient(build_app(load_console_settings(environ)), timeout=30) as client:
        yield client


def as_(key: str) -> dict[str, str]:
    return {"X-API-Key": key}


async def test_session_reports_access_per_service_and_the_approver_role(
    console: AsyncTestClient[Any], system: System
) -> None:
    admin = (await console.get("/api/session", headers=as_(system.admin_key))).json()
    assert admin["services"] == {
        "master_data": "ok",
        "promotion": "ok",
        "inventory": "not available",
        "order_ledger": "unreachable",
        "reconciliation": "ok",
    }
    assert (admin["approver"], admin["operator"]) == (True, True)
    viewer = (await console.get("/api/session", headers=as_(system.keys["viewer"]))).json()
    assert (viewer["services"]["reconciliation"], viewer["approver"], viewer["operator"]) == (
        "ok",
        False,
        False,
    )
    _, stranger_key = generate_api_key()
    stranger = (await console.get("/api/session", headers=as_(stranger_key))).json()
    assert stranger["services"]["master_data"] == "unknown key"
    assert stranger["key_id"] == stranger_key.split("_")[1]


async def test_without_a_key_the_api_answers_401_problem(console: AsyncTestClient[Any]) -> None:
    response = await console.get("/api/recon/exceptions")
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_close_readiness_covers_every_legal_entity_of_master_data(
    console: AsyncTestClient[Any], system: System, seeded: dict[str, Any]
) -> None:
    panel = (
        await console.get(
            "/api/recon/close-readiness", params={"period_id": PERIOD}, headers=as_(system.keys["viewer"])
        )
    ).json()
    rows = {row["legal_entity_id"]: row for row in panel["entities"]}
    assert sorted(rows) == ["LE-NL", "LE-US"]
    nl = rows["LE-NL"]
    assert (nl["name"], nl["ready"], nl["open_exceptions"], nl["remaining"]) == (
        "Retail NL B.V.",
        False,
        1,
        1,
    )
    assert nl["unreconciled"] == [{"currency": "EUR", "count": 1, "amount_minor": 4000}]
    assert (rows["LE-US"]["open_exceptions"], rows["LE-US"]["unreconciled"]) == (0, [])


async def test_an_exception_is_proposed_by_one_user_and_approved_by_another(
    console: AsyncTestClient[Any], system: System, seeded: dict[str, Any]
) -> None:
    path = f"/api/recon/exceptions/{seeded['exception_id']}"
    listed = (await console.get("/api/recon/exceptions", params={"type": "chargeback", "status": "open"},
                                headers=as_(system.keys["viewer"]))).json()  # fmt: skip
    assert [(e["reference"], e["amount_minor"]) for e in listed] == [("CB-CONSOLE-1", 4000)]
    detail = (await console.get(path, headers=as_(system.keys["viewer"]))).json()
    assert [line["record_type"] for line in detail["evidence"]["settlement"]] == ["chargeback"]

    refused = await console.post(f"{path}/assign", json={"owner": "pat"}, headers=as_(system.keys["viewer"]))
    assert refused.status_code == 403
    assert refused.json()["detail"] == "the API key lacks the scope 'recon:resolve'"
    proposer = as_(system.keys["proposer"])
    assert (await console.post(f"{path}/assign", json={"owner": "pat"}, headers=proposer)).json()[
        "status"
    ] == ("assigned")
    proposal = {
        "reason_code": "chargeback_accepted",
        "adjusting_entry": {"kind": "chargeback", "amount_minor": 4000, "currency": "EUR"},
    }
    assert (await console.post(f"{path}/propose", json=proposal, headers=proposer)).json()[
        "status"
    ] == "proposed"
    own = await console.post(f"{path}/approve", headers=proposer)
    assert own.status_code == 403
    assert own.json()["service"] == "reconciliation"
    assert own.json()["detail"] == "the API key lacks the scope 'recon:approve'"
    approved = await console.post(f"{path}/approve", headers=as_(system.keys["approver"]))
    assert approved.status_code == 200, approved.text
    body = approved.json()
    assert (body["status"], body["proposed_by"], body["approved_by"]) == ("resolved", "pat", "quinn")


async def test_the_proposer_cannot_approve_even_with_the_approver_scope(
    console: AsyncTestClient[Any], system: System
) -> None:
    recon = system.services["reconciliation"].process.base_url
    async with httpx.AsyncClient(headers=as_(system.admin_key), timeout=30) as api:
        await api.post(
            f"{recon}/v1/recon/files",
            params={"legal_entity_id": "LE-MC", "filename": "mc.csv"},
            content=chargeback_file("CB-CONSOLE-2", "12.50", "72"),
        )
    approver = as_(system.keys["approver"])
    [case] = (
        await console.get("/api/recon/exceptions", params={"legal_entity_id": "LE-MC"}, headers=approver)
    ).json()
    path = f"/api/recon/exceptions/{case['exception_id']}"
    assert (
        await console.post(f"{path}/assign", json={"owner": "quinn"}, headers=approver)
    ).status_code == 200
    proposed = await console.post(f"{path}/propose", json={"reason_code": "write_off"}, headers=approver)
    assert proposed.json()["status"] == "proposed"
    own = await console.post(f"{path}/approve", headers=approver)
    assert own.status_code == 403
    assert own.json()["type"] == "urn:retail-sync:maker-checker"
    assert "cannot approve" in own.json()["detail"]


async def test_unknown_promotions_are_named_and_the_others_still_shown(
    console: AsyncTestClient[Any], system: System
) -> None:
    panel = (
        await console.get(
            "/api/promotions/deployments", params={"promotion_id": "NOPE"}, headers=as_(system.keys["viewer"])
        )
    ).json()
    assert panel["deployments"] == []
    assert [(p["promotion_id"], p["status"]) for p in panel["problems"]] == [("NOPE", 404)]


async def test_a_missing_operation_is_not_available_and_a_down_service_unreachable(
    console: AsyncTestClient[Any], system: System
) -> None:
    drift = await console.get("/api/inventory/drift", headers=as_(system.keys["viewer"]))
    assert drift.status_code == 501
    assert drift.json()["detail"] == "the service offers no GetDriftRates operation"
    latency = await console.get("/api/ledger/latency", headers=as_(system.keys["viewer"]))
    assert (latency.status_code, latency.json()["service"]) == (502, "order_ledger")


async def test_dead_letters_need_an_operator_key_and_replay_removes_them(
    console: AsyncTestClient[Any], system: System
) -> None:
    topology = Topology(system.namespace)
    client = await nats.connect(system.nats_url)
    try:
        await client.jetstream().publish(
            topology.dlq_subject("console-test"),
            b'{"not": "an event"}',
            headers={
                "dlq-reason": "schema invalid: missing field entry",
                "dlq-original-subject": "retail.recon.console_probe.v1",
                "dlq-consumer": "console-test",
                "dlq-deliveries": "1",
                "dlq-failed-at": "2026-01-01T00:00:00Z",
                "ce-id": "evt-console-1",
            },
        )
    finally:
        await client.close()
    refused = await console.get("/api/dlq", headers=as_(system.keys["viewer"]))
    assert refused.status_code == 403
    assert "ops:dlq" in refused.json()["detail"]
    bound = await console.get("/api/dlq", headers=as_(system.keys["bound_operator"]))
    assert bound.status_code == 403
    assert "without bindings" in bound.json()["detail"]
    listed = (await console.get("/api/dlq", headers=as_(system.admin_key))).json()
    assert listed["depth"] == 1
    [letter] = listed["letters"]
    assert (letter["consumer"], letter["reason"], letter["event_id"]) == (
        "console-test",
        "schema invalid: missing field entry",
        "evt-console-1",
    )
    replayed = await console.post(f"/api/dlq/{letter['seq']}/replay", headers=as_(system.admin_key))
    assert replayed.json() == {"replayed": letter["seq"]}
    after = (await console.get("/api/dlq", headers=as_(system.admin_key))).json()
    assert (after["depth"], after["letters"]) == (0, [])
    missing = await console.post(f"/api/dlq/{letter['seq']}/replay", headers=as_(system.admin_key))
    assert missing.status_code == 404
