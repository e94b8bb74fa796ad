"""Protobuf <-> domain for EvaluateCart (modules generated at start-up from contracts/proto)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from canon.money import Money
from retail_platform.grpc_codegen import load_grpc_modules

from promotion.domain.cart import Cart, CartLine
from promotion.domain.errors import ValidationError
from promotion.domain.plan import Plan
from promotion.domain.priced import PricedCart
from promotion.domain.result import EvaluationResult
from promotion.domain.terms import Accounting, Funding

PROTO = "retail_sync/promotion/v1/promotion.proto"
pb2, pb2_grpc = load_grpc_modules(PROTO)


def _instant(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValidationError("instant", f"not an RFC 3339 instant: {text!r}") from None


def cart_from_request(request: Any) -> Cart:
    """The proto already gives strings and integers, so each line costs one CartLine (whose checks
    take a short path for a valid line) and its Money; a bad value names its field
    (``lines[2].qty``, ``currency``)."""
    currency = request.currency
    Money.zero(currency)  # an unknown currency names the request's field, not the first line's
    lines: list[CartLine] = []
    append = lines.append
    for index, line in enumerate(request.lines):
        try:
            append(
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


_TEMPLATES: dict[tuple[int, int], tuple[Funding, Accounting, Any]] = {}


def _adjustment_template(funding: Funding, accounting: Accounting) -> Any:
    """A LineAdjustment holding only the funding and accounting of a promotion version, built once
    per version's terms (keyed by identity; the entry keeps them alive, so an id is not reused)."""
    key = (id(funding), id(accounting))
    cached = _TEMPLATES.get(key)
    if cached is not None and cached[0] is funding and cached[1] is accounting:
        return cached[2]
    if len(_TEMPLATES) >= 10_000:
        _TEMPLATES.clear()
    template = pb2.LineAdjustment(
        funding=pb2.Funding(
            source=funding.source, vendor_id=funding.vendor_id or "", share_pct=str(funding.share_pct)
        ),
        accounting=pb2.Accounting(
            gl_discount_account=accounting.gl_discount_account, reduces_tax_base=accounting.reduces_tax_base
        ),
    )
    _TEMPLATES[key] = (funding, accounting, template)
    return template


def response_from_result(result: EvaluationResult, currency: str) -> Any:
    """Built in place (``add`` and a copied per-version template): far cheaper than nesting
    keyword-constructed messages, which copies every submessage again."""
    response = pb2.EvaluateCartResponse(
        currency=currency, total_discount_minor=result.total_discount.amount_minor
    )
    add_line = response.lines.add
    for line in result.lines:
        out = add_line(
            line_id=line.line_id,
            gross_minor=line.gross.amount_minor,
            discount_minor=line.discount.amount_minor,
            net_minor=line.net.amount_minor,
        )
        if line.adjustments:
            add_adjustment = out.adjustments.add
            for adjustment in line.adjustments:
                message = add_adjustment()
                message.CopyFrom(_adjustment_template(adjustment.funding, adjustment.accounting))
                message.promotion_id = adjustment.promotion_id
                message.version = adjustment.version
                message.amount_minor = adjustment.amount.amount_minor
                message.units = adjustment.units
    add_coupon = response.coupons_consumed.add
    for coupon in result.coupons_consumed:
        add_coupon(code=coupon.code, promotion_id=coupon.promotion_id, version=coupon.version)
    return response


_PLAN_TEMPLATES: dict[int, tuple[Plan, Any]] = {}


def _plan_template(plan: Plan) -> Any:
    """A LineAdjustment holding everything of a promotion version but the amount and units, built
    once per compiled plan (keyed by identity; the entry keeps the plan alive, so an id is not reused)."""
    cached = _PLAN_TEMPLATES.get(id(plan))
    if cached is not None and cached[0] is plan:
        return cached[1]
    if len(_PLAN_TEMPLATES) >= 20_000:  # the index was rebuilt many times: drop the old plans
        _PLAN_TEMPLATES.clear()
    version = plan.version
    template = pb2.LineAdjustment()
    template.CopyFrom(_adjustment_template(version.funding, version.accounting))
    template.promotion_id, template.version = plan.key
    _PLAN_TEMPLATES[id(plan)] = (plan, template)
    return template


def response_from_priced(priced: PricedCart) -> Any:
    """The same response as :func:`response_from_result` on ``priced.result()``, written straight
    from the engine's integers (no Money, LineResult or LineAdjustment objects in between)."""
    response = pb2.EvaluateCartResponse(currency=priced.currency)
    add_line = response.lines.add
    total_minor = 0
    for line, tallies in priced.lines:
        gross_minor = line.unit_price.amount_minor * line.qty
        if tallies is None:
            add_line(line_id=line.line_id, gross_minor=gross_minor, net_minor=gross_minor)
            continue
        out = add_line(line_id=line.line_id, gross_minor=gross_minor)
        add_adjustment = out.adjustments.add
        discount_minor = 0
        for amount_minor, units, plan in tallies.values():
            message = add_adjustment()
            message.CopyFrom(_plan_template(plan))
            message.amount_minor = amount_minor
            message.units = units
            discount_minor += amount_minor
        out.discount_minor = discount_minor
        out.net_minor = gross_minor - discount_minor
        total_minor += discount_minor
    response.total_discount_minor = total_minor
    add_coupon = response.coupons_consumed.add
    for coupon in priced.coupons_consumed:
        add_coupon(code=coupon.code, promotion_id=coupon.promotion_id, version=coupon.version)
    return response


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
