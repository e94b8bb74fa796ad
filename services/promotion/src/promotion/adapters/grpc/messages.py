"""Protobuf <-> domain for EvaluateCart (modules generated at start-up from contracts/proto)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from canon.money import Money
from retail_platform.grpc_codegen import load_grpc_modules

from promotion.domain.cart import Cart, CartLine
from promotion.domain.errors import ValidationError
from promotion.domain.result import EvaluationResult

PROTO = "retail_sync/promotion/v1/promotion.proto"
pb2, pb2_grpc = load_grpc_modules(PROTO)


def _instant(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValidationError("instant", f"not an RFC 3339 instant: {text!r}") from None


def cart_from_request(request: Any) -> Cart:
    currency = request.currency
    lines = []
    for index, line in enumerate(request.lines):
        try:
            lines.append(
                CartLine(
                    line_id=line.line_id,
                    sku=line.sku,
                    category_id=line.category_id,
                    qty=line.qty,
                    unit_price=Money(line.unit_price_minor, currency),
                )
            )
        except ValidationError as error:
            raise ValidationError(f"lines[{index}].{error.field}", error.reason) from None
    return Cart(
        channel=request.channel,
        instant=_instant(request.instant),
        currency=currency,
        lines=lines,
        node=request.node or None,
        region=request.region or None,
        store_cluster=request.store_cluster or None,
        customer_id=request.customer_id or None,
        coupons=frozenset(request.coupons),
    )


def response_from_result(result: EvaluationResult, currency: str) -> Any:
    return pb2.EvaluateCartResponse(
        currency=currency,
        total_discount_minor=result.total_discount.amount_minor,
        lines=[
            pb2.LineResult(
                line_id=line.line_id,
                gross_minor=line.gross.amount_minor,
                discount_minor=line.discount.amount_minor,
                net_minor=line.net.amount_minor,
                adjustments=[
                    pb2.LineAdjustment(
                        promotion_id=a.promotion_id,
                        version=a.version,
                        amount_minor=a.amount.amount_minor,
                        units=a.units,
                        funding=pb2.Funding(
                            source=a.funding.source,
                            vendor_id=a.funding.vendor_id or "",
                            share_pct=str(a.funding.share_pct),
                        ),
                        accounting=pb2.Accounting(
                            gl_discount_account=a.accounting.gl_discount_account,
                            reduces_tax_base=a.accounting.reduces_tax_base,
                        ),
                    )
                    for a in line.adjustments
                ],
            )
            for line in result.lines
        ],
        coupons_consumed=[
            pb2.CouponRedemption(code=c.code, promotion_id=c.promotion_id, version=c.version)
            for c in result.coupons_consumed
        ],
    )


def request_from_cart(cart: Cart) -> Any:
    return pb2.EvaluateCartRequest(
        channel=cart.channel,
        instant=cart.instant.isoformat().replace("+00:00", "Z"),
        currency=cart.currency,
        lines=[
            pb2.CartLine(
                line_id=line.line_id,
                sku=line.sku,
                category_id=line.category_id,
                qty=line.qty,
                unit_price_minor=line.unit_price.amount_minor,
            )
            for line in cart.lines
        ],
        node=cart.node or "",
        region=cart.region or "",
        store_cluster=cart.store_cluster or "",
        customer_id=cart.customer_id or "",
        coupons=sorted(cart.coupons),
    )
