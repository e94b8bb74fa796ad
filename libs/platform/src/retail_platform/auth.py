"""litestar authentication by API key, and scope guards.

The key comes in `X-API-Key` or `Authorization: Bearer <key>`; the Principal lands on `request.user`.
Health, metrics and the OpenAPI schema are open; a handler may also opt out with
`opt={"exclude_from_auth": True}`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult, DefineMiddleware
from litestar.types import ASGIApp, Guard

from retail_platform.api_keys import ApiKeyStore
from retail_platform.principal import ANONYMOUS, Principal

API_KEY_HEADER = "X-API-Key"
OPEN_PATHS: tuple[str, ...] = ("^/health/", "^/metrics$", "^/schema")
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="retail-sync"'}


def presented_key(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    """The API key the caller sent, if any (X-API-Key wins over Authorization)."""
    if key := connection.headers.get(API_KEY_HEADER):
        return key.strip()
    scheme, _, credentials = (connection.headers.get("Authorization") or "").partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    return None


class ApiKeyAuthenticationMiddleware(AbstractAuthenticationMiddleware):
    def __init__(self, app: ASGIApp, *, store: ApiKeyStore, required: bool = True, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self.store = store
        self.required = required

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        key = presented_key(connection)
        if key is None:
            if not self.required:
                return AuthenticationResult(user=ANONYMOUS, auth=None)
            raise NotAuthorizedException(
                detail=f"an API key is required: send it in the {API_KEY_HEADER} header", headers=_CHALLENGE
            )
        principal = await self.store.authenticate(key)
        if principal is None:
            raise NotAuthorizedException(detail="the API key is unknown or revoked", headers=_CHALLENGE)
        return AuthenticationResult(user=principal, auth=principal.key_id)


def api_key_middleware(
    store: ApiKeyStore, *, required: bool = True, open_paths: Sequence[str] = OPEN_PATHS
) -> DefineMiddleware:
    return DefineMiddleware(
        ApiKeyAuthenticationMiddleware, store=store, required=required, exclude=list(open_paths)
    )


def principal_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    """The authenticated caller; 401 on a route that was left open."""
    user = connection.scope.get("user")
    if not isinstance(user, Principal):
        raise NotAuthorizedException(detail="an API key is required", headers=_CHALLENGE)
    return user


def requires_scope(scope: str) -> Guard:
    """A guard letting through only callers whose key holds `scope` (403 otherwise)."""

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        if not principal_of(connection).has_scope(scope):
            raise PermissionDeniedException(detail=f"the API key lacks the scope {scope!r}")

    guard.__name__ = f"requires_scope({scope})"
    return guard


async def provide_principal(request: Request[Any, Any, Any]) -> Principal:
    """Dependency provider: `principal: Principal` in a handler's signature."""
    return principal_of(request)
