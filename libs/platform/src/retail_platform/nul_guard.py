"""Refuse NUL characters in the path and query string with a 400 naming the parameter.

PostgreSQL `text` cannot hold U+0000, so such a value would fail deep inside a query as a 500
(schemathesis found it: `GET /v1/channels/WEB/availability?sku=%00`). Bodies are covered by the
problem handler, which turns the database's refusal into a 400 naming the body.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from retail_platform.problems import ProblemError

NUL = "\x00"


def nul_field(path: str, query_string: bytes) -> str | None:
    """The parameter holding a NUL character ("path" for the path), or None."""
    if NUL in path:
        return "path"
    for name, value in parse_qsl(query_string.decode("latin-1"), keep_blank_values=True):
        if NUL in name or NUL in value:
            return name.replace(NUL, "") or "query"
    return None


class NulGuardMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        field = nul_field(scope.get("path", ""), scope.get("query_string", b""))
        if field is not None:
            raise ProblemError(
                400, "Invalid request", f"{field}: NUL characters are not allowed", field=field
            )
        await next_app(scope, receive, send)
