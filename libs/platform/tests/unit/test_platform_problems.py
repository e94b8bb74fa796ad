from typing import Annotated

import msgspec
import pytest
from canon.errors import ValidationError
from litestar import Litestar, get, post
from litestar.exceptions import NotFoundException
from litestar.params import JSONBody
from litestar.testing import AsyncTestClient
from retail_platform.problems import PROBLEM_JSON, ProblemError, problem_exception_handlers


class Order(msgspec.Struct):
    order_id: Annotated[str, msgspec.Meta(min_length=1)]
    lines: int


@post("/orders")
async def post_order(data: JSONBody[Order]) -> dict[str, str]:
    return {"order_id": data.order_id}


@get("/canon")
async def canon_error() -> None:
    raise ValidationError("money.currency", "'EURO' is not an ISO 4217 code")


@get("/missing")
async def missing() -> None:
    raise ProblemError(404, "Item not found", "item 'LAMP' does not exist", type="urn:x:not-found")


@get("/http")
async def http_error() -> None:
    raise NotFoundException(detail="no such page")


@get("/boom")
async def boom() -> None:
    raise RuntimeError("password=hunter2 in connection string")


@pytest.fixture
async def client():
    app = Litestar(
        [post_order, canon_error, missing, http_error, boom], exception_handlers=problem_exception_handlers()
    )
    async with AsyncTestClient(app) as test_client:
        yield test_client


async def test_body_validation_names_the_field(client):
    response = await client.post("/orders", json={"order_id": "o-1", "lines": "three"})
    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM_JSON
    body = response.json()
    assert body["status"] == 400
    assert body["instance"] == "/orders"
    assert [e["field"] for e in body["errors"]] == ["lines"]
    assert "int" in body["errors"][0]["reason"]


async def test_canon_validation_error_is_422_naming_the_field(client):
    response = await client.get("/canon")
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json() == {
        "type": "urn:retail-sync:problem:validation-error",
        "title": "Validation failed",
        "status": 422,
        "detail": "money.currency: 'EURO' is not an ISO 4217 code",
        "instance": "/canon",
        "errors": [{"field": "money.currency", "reason": "'EURO' is not an ISO 4217 code"}],
    }


async def test_problem_error_renders_its_status_and_type(client):
    response = await client.get("/missing")
    assert response.status_code == 404
    assert response.json() == {
        "type": "urn:x:not-found",
        "title": "Item not found",
        "status": 404,
        "detail": "item 'LAMP' does not exist",
        "instance": "/missing",
    }


async def test_http_exceptions_and_unknown_routes_are_problems(client):
    response = await client.get("/http")
    assert response.status_code == 404
    assert response.json()["detail"] == "no such page"
    unknown = await client.get("/nowhere")
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == PROBLEM_JSON
    assert unknown.json()["instance"] == "/nowhere"


async def test_unexpected_errors_leak_nothing(client):
    response = await client.get("/boom")
    assert response.status_code == 500
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json()["title"] == "Internal Server Error"
    assert "hunter2" not in response.text
    assert "RuntimeError" not in response.text
