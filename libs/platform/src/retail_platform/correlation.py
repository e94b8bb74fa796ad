"""Correlation id per request: read `X-Correlation-Id` (or create one), bind it to logs, echo it back."""

from __future__ import annotations

import re
import uuid

from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from retail_platform.logging import bind_correlation_id

CORRELATION_HEADER = "X-Correlation-Id"
_ACCEPTABLE = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")


def accepted_correlation_id(sent: str | None) -> str:
    """The caller's id when it is a sane token, else a fresh UUID (never echo arbitrary text)."""
    if sent and _ACCEPTABLE.match(sent):
        return sent
    return str(uuid.uuid4())


class CorrelationIdMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP, ScopeType.WEBSOCKET)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        sent = None
        for name, value in scope.get("headers", []):
            if name.decode("latin-1").lower() == CORRELATION_HEADER.lower():
                sent = value.decode("latin-1")
                break
        correlation_id = accepted_correlation_id(sent)
        scope.setdefault("state", {})["correlation_id"] = correlation_id
        bind_correlation_id(correlation_id)

        async def send_with_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders.from_message(message)
                if CORRELATION_HEADER not in headers:
                    headers[CORRELATION_HEADER] = correlation_id
            await send(message)

        await next_app(scope, receive, send_with_header)
