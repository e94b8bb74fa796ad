"""REST /v1/coupon-redemptions: record that a sale used a coupon code (limits enforced)."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, post
from litestar.params import HeaderParameter
from retail_platform.auth import requires_scope
from retail_platform.idempotency import IdempotencyStore, idempotent

from promotion.adapters.http.errors import translated_errors
from promotion.adapters.http.schemas import RedemptionRequest, RedemptionView
from promotion.application.use_cases.coupons import RedeemCoupon

IdempotencyKey = Annotated[str | None, HeaderParameter(name="Idempotency-Key", required=False)]


class CouponsController(Controller):
    path = "/v1/coupon-redemptions"
    tags = ["coupons"]

    @post(operation_id="RedeemCoupon", guards=[requires_scope("promotion:redeem")])
    async def redeem(
        self,
        request: Request[Any, Any, Any],
        data: RedemptionRequest,
        redeem_coupon: RedeemCoupon,
        idempotency_store: IdempotencyStore,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[bytes]:
        """409 naming `code` once a code's limit (single use, total, per customer) is used up."""

        async def produce() -> tuple[int, bytes]:
            with translated_errors():
                record = await redeem_coupon(data.code, data.reference, data.customer_id)
            view = RedemptionView(
                code=record.code,
                reference=record.reference,
                promotion_id=record.promotion_id,
                version=record.version,
                customer_id=record.customer_id,
                redeemed_at=record.redeemed_at.isoformat(),
                source=record.source,
                over_limit=record.over_limit,
            )
            return 201, msgspec.json.encode(view)

        return await idempotent(request, idempotency_store, idempotency_key, produce)
