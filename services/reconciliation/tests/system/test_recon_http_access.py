"""reconciliation over its real HTTP app (own process, real PostgreSQL and NATS):

- `GET /v1/recon/status` counts only the legal entities a key is bound to (an unbound key counts
  everything), and `legal_entity_id` narrows it to one entity the key may see;
- every other read endpoint refuses another legal entity;
- a rejected file answers RFC 9457 `application/problem+json` whose `detail` names the first bad line,
  with every bad line kept in `problems`, also when replayed under its Idempotency-Key.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from recon_builders import adyen_file, adyen_row
from retail_platform.api_keys import ApiKeyStore
from retail_platform.database import create_engine, session_factory
from retail_platform.principal import ApiKeyBindings
from retail_testing.service_process import RunningService, running_service

pytestmark = pytest.mark.integration
PERIOD = f"{(datetime.now(UTC) - timedelta(days=1)):%Y-%m}"


@pytest.fixture(scope="module")
def service(
    postgres_server_url: str, nats_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningService]:
    scratch = tmp_path_factory.mktemp("reconciliation-access")
    with running_service(
        "reconciliation", server_url=postgres_server_url, nats_url=nats_url, scratch=scratch
    ) as running:
        yield running


@pytest.fixture(scope="module")
def keys(service: RunningService) -> dict[str, str]:
    async def create() -> dict[str, str]:
        engine = create_engine(service.database_url)
        store = ApiKeyStore(session_factory(engine))
        try:
            scopes = ["recon:read", "recon:write"]
            return {
                "us": (await store.create("us-clerk", scopes, ApiKeyBindings(legal_entities=("LE-AUS",))))[1],
                "both": (
                    await store.create(
                        "two-entities", scopes, ApiKeyBindings(legal_entities=("LE-AUS", "LE-ADE"))
                    )
                )[1],
            }
        finally:
            await engine.dispose()

    return asyncio.run(create())


def client(service: RunningService, key: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=service.process.base_url, headers={"X-API-Key": key}, timeout=60)


@pytest.fixture
async def admin(service: RunningService) -> AsyncIterator[httpx.AsyncClient]:
    async with client(service, service.admin_key) as api:
        yield api


@pytest.fixture(scope="module")
def seeded(service: RunningService) -> dict[str, str]:
    """A chargeback (one open exception) in each of LE-AUS, LE-ADE and LE-AFR; returns entity -> id."""

    async def seed() -> dict[str, str]:
        found = {}
        async with client(service, service.admin_key) as api:
            for batch, entity in enumerate(("LE-AUS", "LE-ADE", "LE-AFR"), start=701):
                content = adyen_file(
                    [adyen_row(f"CB-{entity}", "Chargeback", "12.00", "12.00", debit=True, batch=str(batch))]
                )
                response = await api.post(
                    "/v1/recon/files",
                    params={"legal_entity_id": entity, "filename": f"cb-{entity}.csv"},
                    content=content,
                )
                assert response.status_code == 201, response.text
                [case] = (await api.get("/v1/recon/exceptions", params={"legal_entity_id": entity})).json()
                found[entity] = case["exception_id"]
        return found

    return asyncio.run(seed())


EXPECTED_ONE_ENTITY = {
    "tender_lines": 0,
    "ledger_entries": 0,
    "sales_documents": 0,
    "return_dispositions": 0,
    "files": 1,
    "settlement_lines": 1,
    "bank_lines": 0,
    "open_exceptions": 1,
}


async def test_status_counts_only_the_legal_entities_of_a_bound_key(
    service: RunningService, keys: dict[str, str], seeded: dict[str, str], admin: httpx.AsyncClient
) -> None:
    everything = (await admin.get("/v1/recon/status")).json()
    assert everything["files"] >= 3
    assert everything["open_exceptions"] >= 3
    async with client(service, keys["us"]) as us, client(service, keys["both"]) as both:
        own = await us.get("/v1/recon/status")
        assert own.status_code == 200, own.text
        assert own.json() == EXPECTED_ONE_ENTITY
        named = await us.get("/v1/recon/status", params={"legal_entity_id": "LE-AUS"})
        assert named.json() == EXPECTED_ONE_ENTITY
        other = await us.get("/v1/recon/status", params={"legal_entity_id": "LE-ADE"})
        assert other.status_code == 403
        assert other.headers["content-type"].startswith("application/problem+json")
        assert "LE-ADE" in other.json()["detail"]
        two = (await both.get("/v1/recon/status")).json()
        assert (two["files"], two["settlement_lines"], two["open_exceptions"]) == (2, 2, 2)
        one = (await both.get("/v1/recon/status", params={"legal_entity_id": "LE-ADE"})).json()
        assert one == EXPECTED_ONE_ENTITY
    narrowed = (await admin.get("/v1/recon/status", params={"legal_entity_id": "LE-AFR"})).json()
    assert narrowed == EXPECTED_ONE_ENTITY


async def test_every_other_read_refuses_another_legal_entity(
    service: RunningService, keys: dict[str, str], seeded: dict[str, str]
) -> None:
    async with client(service, keys["us"]) as us, client(service, keys["both"]) as both:
        listed = (await us.get("/v1/recon/exceptions")).json()
        assert [case["legal_entity_id"] for case in listed] == ["LE-AUS"]
        assert (await us.get("/v1/recon/exceptions", params={"legal_entity_id": "LE-ADE"})).status_code == 403
        assert (await us.get(f"/v1/recon/exceptions/{seeded['LE-ADE']}")).status_code == 403
        assert (await us.get(f"/v1/recon/exceptions/{seeded['LE-AUS']}")).status_code == 200
        assert (await us.get(f"/v1/recon/close-readiness/LE-ADE/{PERIOD}")).status_code == 403
        assert (await us.get(f"/v1/recon/close-readiness/LE-AUS/{PERIOD}")).status_code == 200
        assert (await both.get("/v1/recon/exceptions")).status_code == 403  # must name one of its two
        assert (await both.get(f"/v1/recon/exceptions/{seeded['LE-AFR']}")).status_code == 403


async def test_a_rejected_file_is_problem_json_naming_the_first_bad_line_with_every_line_kept(
    admin: httpx.AsyncClient,
) -> None:
    content = adyen_file(
        [
            adyen_row("BAD1", "Settled", "5.0x", "4.90", batch="801"),
            adyen_row("GOOD", "Settled", "5.00", "4.90", fee="0.10", batch="801"),
            adyen_row("BAD2", "Settled", "6.00", "5.9y", batch="801"),
        ]
    )
    params = {"legal_entity_id": "LE-AUS", "filename": "bad.csv"}
    first = await admin.post(
        "/v1/recon/files", params=params, content=content, headers={"Idempotency-Key": "bad-file-1"}
    )
    assert first.status_code == 422, first.text
    assert first.headers["content-type"].startswith("application/problem+json")
    body = first.json()
    assert (body["type"], body["title"], body["status"]) == (
        "urn:retail-sync:problem:file-rejected",
        "File rejected",
        422,
    )
    assert body["detail"].startswith("line 2, Gross Credit (GC): "), body["detail"]
    assert body["detail"].endswith("(and 1 more: see problems)"), body["detail"]
    assert body["instance"] == "/v1/recon/files"
    assert (body["outcome"], body["filename"]) == ("rejected", "bad.csv")
    assert body["file_id"]
    assert [(p["line"], p["field"]) for p in body["problems"]] == [
        (2, "Gross Credit (GC)"),
        (4, "Net Credit (NC)"),
    ]
    assert all(p["reason"] for p in body["problems"])
    assert [e["field"] for e in body["errors"]] == ["Gross Credit (GC)"]

    replayed = await admin.post(
        "/v1/recon/files", params=params, content=content, headers={"Idempotency-Key": "bad-file-1"}
    )
    assert replayed.status_code == 422
    assert replayed.headers["idempotency-replayed"] == "true"
    assert replayed.headers["content-type"].startswith("application/problem+json")
    assert replayed.json() == body
