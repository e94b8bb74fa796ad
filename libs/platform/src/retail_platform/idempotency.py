"""`Idempotency-Key` for POSTs that create something (DESIGN section 6).

Rules:
- keys are scoped per API key: two integrators may use the same Idempotency-Key;
- a replay (same key, same method, path and body) returns the first response byte for byte, with
  `Idempotency-Replayed: true`;
- the same key with a different request is a 422;
- server errors (5xx) are not remembered, so a retry after a failure runs again;
- if two requests with one key race, the first to record wins and the other answers with its
  response; the handler's effect must itself be idempotent by business key for that race.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
from litestar import Request, Response
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from retail_platform.auth import principal_of
from retail_platform.principal import Principal
from retail_platform.problems import ProblemError
from retail_platform.tables import idempotency_keys

IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotency-Replayed"
MAX_KEY_LENGTH = 255
JSON = "application/json"


class StoredResponse(msgspec.Struct, frozen=True, kw_only=True):
    status: int
    body: bytes
    media_type: str = JSON


def request_fingerprint(method: str, path: str, body: bytes) -> str:
    """SHA-256 over method, path and body: what makes two requests 'the same'."""
    digest = hashlib.sha256()
    for part in (method.upper().encode(), path.encode(), body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def check_idempotency_key(key: str) -> str:
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not key.isprintable():
        raise ProblemError(
            400,
            "Invalid Idempotency-Key",
            f"the key must be 1 to {MAX_KEY_LENGTH} printable characters",
            field=IDEMPOTENCY_HEADER,
        )
    return key


class IdempotencyStore:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._session_factory = session_factory

    async def lookup(self, principal: Principal, key: str, fingerprint: str) -> StoredResponse | None:
        """The remembered response; raises a 422 ProblemError if the key came with another request."""
        async with self._session_factory() as session:
            row = (
                await session.execute(
                    select(idempotency_keys).where(
                        idempotency_keys.c.key_id == principal.key_id,
                        idempotency_keys.c.idempotency_key == key,
                    )
                )
            ).one_or_none()
        if row is None:
            return None
        if row.request_sha256 != fingerprint:
            raise ProblemError(
                422,
                "Idempotency-Key reused with a different request",
                "this Idempotency-Key was first used with another method, path or body",
                field=IDEMPOTENCY_HEADER,
                type="urn:retail-sync:problem:idempotency-key-reused",
            )
        return StoredResponse(
            status=row.response_status, body=row.response_body, media_type=row.response_media_type
        )

    async def remember(
        self, principal: Principal, key: str, fingerprint: str, response: StoredResponse
    ) -> StoredResponse:
        """Record the response unless one is recorded already; returns the one that stands."""
        statement = (
            insert(idempotency_keys)
            .values(
                key_id=principal.key_id,
                idempotency_key=key,
                request_sha256=fingerprint,
                response_status=response.status,
                response_body=response.body,
                response_media_type=response.media_type,
            )
            .on_conflict_do_nothing(index_elements=["key_id", "idempotency_key"])
        )
        async with self._session_factory() as session, session.begin():
            inserted = (await session.execute(statement)).rowcount  # type: ignore[attr-defined]
        if inserted:
            return response
        earlier = await self.lookup(principal, key, fingerprint)
        return earlier if earlier is not None else response


async def idempotent(
    request: Request[Any, Any, Any],
    store: IdempotencyStore,
    key: str | None,
    produce: Callable[[], Awaitable[tuple[int, bytes]]],
    *,
    media_type: str = JSON,
) -> Response[bytes]:
    """Run `produce` once per (API key, Idempotency-Key); `produce` returns (status, JSON body)."""
    if key is None:
        status, body = await produce()
        return Response(content=body, status_code=status, media_type=media_type)
    key = check_idempotency_key(key)
    principal = principal_of(request)
    fingerprint = request_fingerprint(request.method, request.url.path, await request.body())
    if (stored := await store.lookup(principal, key, fingerprint)) is not None:
        return _replay(stored)
    status, body = await produce()
    fresh = StoredResponse(status=status, body=body, media_type=media_type)
    if status >= 500:
        return Response(content=body, status_code=status, media_type=media_type)
    standing = await store.remember(principal, key, fingerprint, fresh)
    if standing is not fresh:
        return _replay(standing)
    return Response(content=body, status_code=status, media_type=media_type)


def _replay(stored: StoredResponse) -> Response[bytes]:
    return Response(
        content=stored.body,
        status_code=stored.status,
        media_type=stored.media_type,
        headers={REPLAYED_HEADER: "true"},
    )
