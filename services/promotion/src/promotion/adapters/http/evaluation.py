"""REST /v1/evaluations: price a cart against the active promotions (the same engine as gRPC)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, post
from retail_platform.auth import requires_scope
from retail_platform.principal import Principal
from retail_platform.problems import ProblemError

from promotion.application.evaluation import CartEvaluator, decode_cart
from promotion.domain.result import EvaluationResult


class EvaluationController(Controller):
    path = "/v1/evaluations"
    tags = ["evaluation"]

    @post(operation_id="EvaluateCart", guards=[requires_scope("promotion:read")], status_code=200)
    async def evaluate(
        self, request: Request[Any, Any, Any], principal: Principal, cart_evaluator: CartEvaluator
    ) -> EvaluationResult:
        """Body: a cart (channel, instant, currency, lines with sku, category_id, qty, unit_price
        {amount_minor, currency}; optional node or region/store_cluster, customer_id, coupons).
        Nothing is recorded: coupons are redeemed when the sale is recorded."""
        cart = decode_cart(await request.body())
        if not principal.may_access_channel(cart.channel):
            raise ProblemError(
                403, "Forbidden", f"this API key is not bound to channel {cart.channel!r}", field="channel"
            )
        return await cart_evaluator(cart)
