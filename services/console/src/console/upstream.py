"""Calls to the services' REST APIs, by operationId, with the caller's API key.

The console holds no key of its own: every call carries the key the person typed into the page, so
each service applies its own scopes and bindings (a read-only key can look, an approver can approve).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import httpx
import msgspec
from retail_platform.logging import correlation_id_var

from console.catalogue import Operation, operations_of
from console.errors import OperationNotAvailableError, ServiceUnreachableError, UpstreamProblemError

API_KEY_HEADER = "X-API-Key"
OPENAPI_PATH = "/schema/openapi.json"
QueryValue = str | int | Sequence[str]


class Upstream:
    """One HTTP client over every service; each service's operations cached for `catalogue_ttl_s`
    (re-read sooner, at most every `retry_after_s`, when an operation is missing: it may just have
    been deployed)."""

    def __init__(
        self,
        base_urls: Mapping[str, str],
        client: httpx.AsyncClient,
        *,
        catalogue_ttl_s: float = 60.0,
        retry_after_s: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._base_urls = dict(base_urls)
        self._client = client
        self._ttl_s = catalogue_ttl_s
        self._retry_after_s = retry_after_s
        self._clock = clock
        self._catalogues: dict[str, tuple[float, dict[str, Operation]]] = {}

    @property
    def services(self) -> list[str]:
        return list(self._base_urls)

    def _url(self, service: str, path: str) -> str:
        return self._base_urls[service] + path

    async def _get(self, service: str, path: str) -> httpx.Response:
        try:
            return await self._client.get(self._url(service, path))
        except httpx.HTTPError as error:
            raise ServiceUnreachableError(service, f"no answer ({type(error).__name__})") from None

    async def operations(self, service: str, *, refresh: bool = False) -> dict[str, Operation]:
        now = self._clock()
        cached = self._catalogues.get(service)
        if cached is not None and not refresh and now - cached[0] < self._ttl_s:
            return cached[1]
        response = await self._get(service, OPENAPI_PATH)
        if response.status_code != 200:
            raise ServiceUnreachableError(service, f"OpenAPI document answered HTTP {response.status_code}")
        operations = operations_of(response.json())
        self._catalogues[service] = (now, operations)
        return operations

    async def operation(self, service: str, operation_id: str) -> Operation:
        operations = await self.operations(service)
        if operation_id not in operations:
            fetched_at = self._catalogues[service][0]
            if self._clock() - fetched_at >= self._retry_after_s:
                operations = await self.operations(service, refresh=True)
        if operation_id not in operations:
            raise OperationNotAvailableError(service, operation_id)
        return operations[operation_id]

    async def offers(self, service: str, operation_id: str) -> bool:
        try:
            await self.operation(service, operation_id)
        except OperationNotAvailableError:
            return False
        return True

    async def send(
        self,
        service: str,
        operation_id: str,
        *,
        api_key: str,
        path: Mapping[str, str] | None = None,
        query: Mapping[str, QueryValue | None] | None = None,
        body: Any = None,
    ) -> httpx.Response:
        """The raw answer of one operation (any status); raises only when the service is unreachable
        or lacks the operation."""
        operation = await self.operation(service, operation_id)
        headers = {API_KEY_HEADER: api_key}
        if (correlation_id := correlation_id_var.get()) is not None:
            headers["X-Correlation-Id"] = correlation_id
        params: list[tuple[str, str | int | float | bool | None]] = [
            (name, str(item))
            for name, value in (query or {}).items()
            if value is not None
            for item in (value if isinstance(value, list | tuple) else [value])
        ]
        try:
            return await self._client.request(
                operation.method,
                self._url(service, operation.path(**(path or {}))),
                params=params,
                headers=headers,
                content=None if body is None else msgspec.json.encode(body),
            )
        except httpx.HTTPError as error:
            raise ServiceUnreachableError(service, f"no answer ({type(error).__name__})") from None

    async def call(
        self,
        service: str,
        operation_id: str,
        *,
        api_key: str,
        path: Mapping[str, str] | None = None,
        query: Mapping[str, QueryValue | None] | None = None,
        body: Any = None,
    ) -> Any:
        """The decoded JSON answer of one operation; a 4xx/5xx becomes UpstreamProblemError."""
        response = await self.send(service, operation_id, api_key=api_key, path=path, query=query, body=body)
        if response.status_code >= 400:
            raise UpstreamProblemError(service, response.status_code, problem_of(response))
        return response.json() if response.content else None

    async def metrics_text(self, service: str) -> str:
        """The service's Prometheus exposition (open, no key)."""
        response = await self._get(service, "/metrics")
        if response.status_code != 200:
            raise ServiceUnreachableError(service, f"/metrics answered HTTP {response.status_code}")
        return response.text


def problem_of(response: httpx.Response) -> dict[str, Any]:
    """The problem+json body, or a minimal one when the body is not JSON."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        return body
    return {"type": "about:blank", "title": response.reason_phrase or "Error", "status": response.status_code}
