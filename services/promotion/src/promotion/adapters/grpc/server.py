"""gRPC PromotionEvaluation server (grpc.aio): EvaluateCart over the in-memory index.

Invalid input answers INVALID_ARGUMENT with ``<field>: <reason>``. Authentication: the same API
keys as REST, sent as ``x-api-key`` metadata, needing ``promotion:read`` (when a key store is given);
a key bound to channels may evaluate carts of those channels only (PERMISSION_DENIED otherwise), as
over REST.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any

import grpc
from retail_platform.principal import Principal

from promotion.adapters.grpc.messages import cart_from_request, pb2_grpc, response_from_priced
from promotion.application.evaluation import CartEvaluator, EvaluateCart
from promotion.domain.errors import ValidationError

Authenticator = Callable[[str | None], Awaitable[Principal | None]]
"""The key's principal, or None when it is unknown or lacks ``promotion:read``."""


class PromotionEvaluationServicer(pb2_grpc.PromotionEvaluationServicer):  # type: ignore[name-defined]
    def __init__(
        self, evaluator: CartEvaluator | EvaluateCart, authenticate: Authenticator | None = None
    ) -> None:
        self._evaluator = evaluator
        self._authenticate = authenticate

    async def EvaluateCart(self, request: Any, context: grpc.aio.ServicerContext) -> Any:  # noqa: N802
        principal: Principal | None = None
        if self._authenticate is not None:
            key = dict(context.invocation_metadata() or ()).get("x-api-key")
            principal = await self._authenticate(key)
            if principal is None:
                await context.abort(
                    grpc.StatusCode.UNAUTHENTICATED, "an API key with promotion:read is required"
                )
        try:
            cart = cart_from_request(request)
        except ValidationError as error:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"{error.field}: {error.reason}")
        if principal is not None and not principal.may_access_channel(cart.channel):
            await context.abort(
                grpc.StatusCode.PERMISSION_DENIED, f"channel: the key is not bound to {cart.channel!r}"
            )
        priced = self._evaluator.price(cart)
        if inspect.isawaitable(priced):
            priced = await priced
        return response_from_priced(priced)


async def serve_evaluation(
    evaluator: CartEvaluator | EvaluateCart,
    *,
    host: str,
    port: int,
    authenticate: Authenticator | None = None,
) -> tuple[grpc.aio.Server, int]:
    """Start a server; returns it and the bound port (``port=0`` picks a free one)."""
    server = grpc.aio.server()
    pb2_grpc.add_PromotionEvaluationServicer_to_server(
        PromotionEvaluationServicer(evaluator, authenticate), server
    )
    bound = server.add_insecure_port(f"{host}:{port}")
    await server.start()
    return server, bound
