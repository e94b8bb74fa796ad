"""A tiny service built with create_app, against the real PostgreSQL and NATS."""

from typing import Annotated, Any

import msgspec
import nats
import pytest
from canon.errors import ValidationError
from litestar import Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import HeaderParameter, JSONBody
from retail_platform.api_keys import ApiKeyStore
from retail_platform.app import create_app
from retail_platform.auth import requires_scope
from retail_platform.database import create_engine, session_factory
from retail_platform.health import consumers_check, database_check, nats_check
from retail_platform.idempotency import IDEMPOTENCY_HEADER, IdempotencyStore, idempotent
from retail_platform.principal import Principal
from retail_platform.settings import load_settings
from retail_platform.tables import create_platform_schema
from retail_platform.testing import app_client

pytestmark = pytest.mark.integration

BOOTSTRAP_KEY = "rs_b00b00b00b00b00b_" + "k" * 43


class NewThing(msgspec.Struct, frozen=True, kw_only=True):
    sku: Annotated[str, msgspec.Meta(min_length=1)]
    quantity: int


created: list[str] = []


@get("/v1/things", guards=[requires_scope("master:read")], sync_to_thread=False)
def list_things(principal: NamedDependency[Principal]) -> dict[str, Any]:
    return {"owner": principal.owner, "things": created}


@post("/v1/things", guards=[requires_scope("master:write")])
async def create_thing(
    request: Request[Any, Any, Any],
    data: JSONBody[NewThing],
    idempotency: NamedDependency[IdempotencyStore],
    idempotency_key: Annotated[str | None, HeaderParameter(name=IDEMPOTENCY_HEADER)] = None,
) -> Response[bytes]:
    async def produce() -> tuple[int, bytes]:
        if data.quantity < 0:
            raise ValidationError("quantity", "must not be negative")
        created.append(data.sku)
        return 201, msgspec.json.encode({"number": len(created), "sku": data.sku})

    return await idempotent(request, idempotency, idempotency_key, produce)


@get("/v1/boom", guards=[requires_scope("master:read")], sync_to_thread=False)
def boom() -> None:
    raise RuntimeError("secret internals")


class Runner:
    name = "things-consumer"
    bound = True


@pytest.fixture
async def service(database_url, nats_url):
    created.clear()
    engine = create_engine(database_url)
    async with engine.begin() as connection:
        await connection.run_sync(create_platform_schema)
    nc = await nats.connect(nats_url)
    sessions = session_factory(engine)
    keys = ApiKeyStore(sessions, cache_ttl_s=0)
    idempotency = IdempotencyStore(sessions)
    runner = Runner()
    settings = load_settings(
        "things",
        default_http_port=8999,
        environ={
            "RETAIL_SYNC_THINGS_DATABASE_URL": database_url,
            "RETAIL_SYNC_BOOTSTRAP_API_KEY": BOOTSTRAP_KEY,
        },
    )
    app = create_app(
        settings=settings,
        route_handlers=[list_things, create_thing, boom],
        readiness_checks={
            "database": database_check(engine),
            "nats": nats_check(nc),
            "consumers": consumers_check([runner]),
        },
        dependencies={"idempotency": Provide(lambda: idempotency, sync_to_thread=False)},
        api_key_store=keys,
        title="Things",
        version="1.0.0",
        description="a test service",
    )
    async with app_client(app) as client:
        yield client, keys, runner
    await nc.close()
    await engine.dispose()


async def test_liveness_and_readiness_when_all_is_up(service):
    client, _, _ = service
    live = await client.get("/health/live")
    assert (live.status_code, live.json()) == (200, {"status": "alive"})
    ready = await client.get("/health/ready")
    assert ready.status_code == 200
    assert ready.json() == {
        "status": "ready",
        "checks": {"database": "ok", "nats": "ok", "consumers": "ok"},
    }


async def test_readiness_is_503_naming_the_failing_check(service):
    client, _, runner = service
    runner.bound = False
    try:
        ready = await client.get("/health/ready")
    finally:
        runner.bound = True
    assert ready.status_code == 503
    assert ready.headers["content-type"] == "application/problem+json"
    body = ready.json()
    assert body["detail"] == "failing checks: consumers"
    assert body["checks"] == {
        "database": "ok",
        "nats": "ok",
        "consumers": "consumers not bound: things-consumer",
    }


async def test_metrics_serve_prometheus_text_with_route_templates(service):
    client, _, _ = service
    await client.get("/health/live")
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert (
        'retail_http_request_duration_seconds_count{method="GET",route="/health/live",service="things",status="200"}'
        in response.text
    )


async def test_no_key_is_401_problem(service):
    client, _, _ = service
    response = await client.get("/v1/things")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["instance"] == "/v1/things"
    assert response.headers["www-authenticate"].startswith("Bearer")
    unknown = await client.get("/v1/things", headers={"X-API-Key": "rs_0000000000000000_" + "x" * 43})
    assert unknown.status_code == 401


async def test_key_without_scope_is_403_and_with_scope_200(service):
    client, keys, _ = service
    _, reader = await keys.create("user-1", ["master:read"])
    assert (
        await client.post("/v1/things", json={"sku": "A", "quantity": 1}, headers={"X-API-Key": reader})
    ).status_code == 403
    forbidden = await client.post(
        "/v1/things", json={"sku": "A", "quantity": 1}, headers={"X-API-Key": reader}
    )
    assert forbidden.headers["content-type"] == "application/problem+json"
    assert "master:write" in forbidden.json()["detail"]
    allowed = await client.get("/v1/things", headers={"Authorization": f"Bearer {reader}"})
    assert (allowed.status_code, allowed.json()) == (200, {"owner": "user-1", "things": []})


async def test_bootstrap_key_is_installed_with_every_scope(service):
    client, _, _ = service
    response = await client.post(
        "/v1/things", json={"sku": "A", "quantity": 1}, headers={"X-API-Key": BOOTSTRAP_KEY}
    )
    assert response.status_code == 201


async def test_validation_errors_are_problems_naming_the_field(service):
    client, keys, _ = service
    _, writer = await keys.create("user-1", ["master:write"])
    bad_type = await client.post(
        "/v1/things", json={"sku": "A", "quantity": "many"}, headers={"X-API-Key": writer}
    )
    assert bad_type.status_code == 400
    assert bad_type.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in bad_type.json()["errors"]] == ["quantity"]
    domain = await client.post("/v1/things", json={"sku": "A", "quantity": -1}, headers={"X-API-Key": writer})
    assert domain.status_code == 422
    assert domain.json()["errors"] == [{"field": "quantity", "reason": "must not be negative"}]


async def test_idempotency_key_replays_the_first_response(service):
    client, keys, _ = service
    _, writer = await keys.create("user-1", ["master:write"])
    headers = {"X-API-Key": writer, "Idempotency-Key": "order-42"}
    first = await client.post("/v1/things", json={"sku": "LAMP", "quantity": 1}, headers=headers)
    again = await client.post("/v1/things", json={"sku": "LAMP", "quantity": 1}, headers=headers)
    assert first.status_code == 201
    assert "idempotency-replayed" not in first.headers
    assert (again.status_code, again.content) == (201, first.content)
    assert again.headers["idempotency-replayed"] == "true"
    assert created == ["LAMP"]
    other = await client.post("/v1/things", json={"sku": "DESK", "quantity": 1}, headers=headers)
    assert other.status_code == 422
    assert other.headers["content-type"] == "application/problem+json"
    assert other.json()["title"] == "Idempotency-Key reused with a different request"
    assert created == ["LAMP"]


async def test_idempotency_keys_are_per_api_key(service):
    client, keys, _ = service
    _, one = await keys.create("user-1", ["master:write"])
    _, two = await keys.create("user-2", ["master:write"])
    await client.post(
        "/v1/things", json={"sku": "A", "quantity": 1}, headers={"X-API-Key": one, "Idempotency-Key": "k"}
    )
    second = await client.post(
        "/v1/things", json={"sku": "B", "quantity": 1}, headers={"X-API-Key": two, "Idempotency-Key": "k"}
    )
    assert second.status_code == 201
    assert created == ["A", "B"]


async def test_unexpected_error_is_500_without_internals(service):
    client, _, _ = service
    response = await client.get("/v1/boom", headers={"X-API-Key": BOOTSTRAP_KEY})
    assert response.status_code == 500
    assert "secret internals" not in response.text


async def test_correlation_id_is_echoed_or_created(service):
    client, _, _ = service
    echoed = await client.get("/health/live", headers={"X-Correlation-Id": "abc-123"})
    assert echoed.headers["x-correlation-id"] == "abc-123"
    created_id = await client.get("/v1/things")  # a 401 raised in middleware still carries it
    assert len(created_id.headers["x-correlation-id"]) == 36


async def test_openapi_is_served_with_the_api_key_scheme(service):
    client, _, _ = service
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["info"]["title"] == "Things"
    assert document["components"]["securitySchemes"]["ApiKey"] == {
        "type": "apiKey",
        "name": "X-API-Key",
        "in": "header",
    }
    assert "/v1/things" in document["paths"]


async def test_request_body_over_the_limit_is_413(service):
    client, keys, _ = service
    _, writer = await keys.create("user-1", ["master:write"])
    big = b'{"sku": "' + b"x" * (10 * 1024 * 1024 + 1) + b'", "quantity": 1}'
    response = await client.post(
        "/v1/things", content=big, headers={"X-API-Key": writer, "Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
