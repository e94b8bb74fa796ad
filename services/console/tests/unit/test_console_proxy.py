"""The console app over fake services (httpx.MockTransport): the key is forwarded, problems pass
through with the service's status and detail, a missing operation is "not available"."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from console.bootstrap import build_app
from console.settings import load_console_settings, service_url_variable
from console.upstream import Upstream
from litestar.testing import AsyncTestClient
from retail_platform.settings import SettingsError

KEY = "rs_0123456789abcdef_" + "s" * 43
RECON_OPENAPI = {
    "paths": {
        "/v1/recon/exceptions": {"get": {"operationId": "ListReconExceptions"}},
        "/v1/recon/exceptions/{exception_id}/approve": {"post": {"operationId": "ApproveReconResolution"}},
        "/v1/recon/exceptions/{exception_id}": {"get": {"operationId": "GetReconException"}},
    }
}
MAKER_CHECKER = {
    "type": "urn:retail-sync:maker-checker",
    "title": "Maker-checker",
    "status": 403,
    "detail": "pat proposed this resolution and cannot approve it",
}


class FakeServices:
    """Reconciliation answers from RECON_OPENAPI; every other service has an empty OpenAPI."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        port = request.url.port
        if request.url.path == "/schema/openapi.json":
            return httpx.Response(200, json=RECON_OPENAPI if port == 8104 else {"paths": {}})
        if request.url.path == "/v1/recon/exceptions":
            return httpx.Response(200, json=[{"exception_id": "X1", "status": "open"}])
        if request.url.path.endswith("/approve"):
            if request.url.path == "/v1/recon/exceptions/console-scope-probe/approve":
                return httpx.Response(404, json={"status": 404, "title": "Not found"})
            return httpx.Response(
                403, json=MAKER_CHECKER, headers={"content-type": "application/problem+json"}
            )
        return httpx.Response(404, json={"status": 404, "title": "Not found"})


@pytest.fixture
def services() -> FakeServices:
    return FakeServices()


@pytest.fixture
async def console(services: FakeServices) -> AsyncIterator[AsyncTestClient[Any]]:
    app = build_app(load_console_settings({}), http_transport=httpx.MockTransport(services))
    async with AsyncTestClient(app) as client:
        yield client


async def test_the_callers_key_and_correlation_id_are_forwarded_and_filters_passed_on(
    console: AsyncTestClient[Any], services: FakeServices
) -> None:
    response = await console.get(
        "/api/recon/exceptions",
        params={"type": "chargeback", "status": "open"},
        headers={"X-API-Key": KEY, "X-Correlation-Id": "corr-1"},
    )
    assert response.json() == [{"exception_id": "X1", "status": "open"}]
    [call] = [r for r in services.requests if r.url.path == "/v1/recon/exceptions"]
    assert (call.headers["X-API-Key"], call.headers["X-Correlation-Id"]) == (KEY, "corr-1")
    assert dict(call.url.params) == {"type": "chargeback", "status": "open", "limit": "200"}
    assert str(call.url).startswith("http://127.0.0.1:8104/")


async def test_a_refusal_passes_through_with_the_services_status_and_detail(
    console: AsyncTestClient[Any],
) -> None:
    response = await console.post("/api/recon/exceptions/X1/approve", headers={"X-API-Key": KEY})
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json() == {**MAKER_CHECKER, "service": "reconciliation"}


async def test_an_operation_the_service_does_not_publish_is_not_available(
    console: AsyncTestClient[Any],
) -> None:
    response = await console.get("/api/inventory/drift", headers={"X-API-Key": KEY})
    assert response.status_code == 501
    body = response.json()
    assert (body["title"], body["service"], body["operation_id"]) == (
        "Not available",
        "inventory",
        "GetDriftRates",
    )


async def test_an_unknown_workflow_step_is_404_and_nothing_is_called(
    console: AsyncTestClient[Any], services: FakeServices
) -> None:
    response = await console.post("/api/recon/exceptions/X1/delete", headers={"X-API-Key": KEY})
    assert response.status_code == 404
    assert not [r for r in services.requests if "/X1/" in r.url.path]


async def test_the_page_and_its_files_are_served_without_a_key(console: AsyncTestClient[Any]) -> None:
    page = await console.get("/")
    assert page.status_code == 200
    assert '<script src="/static/console.js" defer></script>' in page.text
    script = await console.get("/static/console.js")
    assert (script.status_code, "https://" in script.text) == (200, False)  # nothing fetched from elsewhere


async def test_a_missing_operation_is_looked_up_again_once_the_retry_delay_passed() -> None:
    answers = [{"paths": {}}, RECON_OPENAPI]
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        return httpx.Response(200, json=answers[min(len(calls) - 1, 1)])

    now = [0.0]
    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        upstream = Upstream({"reconciliation": "http://r"}, client, retry_after_s=2.0, clock=lambda: now[0])
        assert await upstream.offers("reconciliation", "ListReconExceptions") is False
        now[0] = 1.0
        assert await upstream.offers("reconciliation", "ListReconExceptions") is False
        assert len(calls) == 1  # within the retry delay: the cached catalogue answers
        now[0] = 3.0
        assert await upstream.offers("reconciliation", "ListReconExceptions") is True
        assert len(calls) == 2


def test_service_urls_default_to_the_local_ports_and_a_bad_one_is_named() -> None:
    settings = load_console_settings({service_url_variable("promotion"): "http://promo:9000/"})
    assert settings.service_urls["promotion"] == "http://promo:9000"
    assert settings.service_urls["reconciliation"] == "http://127.0.0.1:8104"
    assert settings.service.http_port == 8080
    with pytest.raises(SettingsError) as raised:
        load_console_settings({"RETAIL_SYNC_CONSOLE_INVENTORY_URL": "inventory:8102"})
    assert raised.value.variable == "RETAIL_SYNC_CONSOLE_INVENTORY_URL"
