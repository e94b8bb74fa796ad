"""Does a promotion version apply to this cart at all: currency, window, place, coupon."""

from __future__ import annotations

from promotion.domain.cart import Cart, CouponUsage, CouponUse
from promotion.domain.terms import CouponRequirement
from promotion.domain.version import PromotionVersion

NOT_APPLICABLE = object()
"""Returned by :func:`coupon_for` when a required coupon is missing or used up."""


def code_has_uses_left(requirement: CouponRequirement, use: CouponUse, customer_id: str | None) -> bool:
    if not requirement.multi_use:
        return use.total_used == 0
    if requirement.total_limit is not None and use.total_used >= requirement.total_limit:
        return False
    if requirement.per_customer_limit is not None:
        return customer_id is not None and use.used_by_customer < requirement.per_customer_limit
    return True


def coupon_for(promotion: PromotionVersion, cart: Cart, usage: CouponUsage) -> str | None | object:
    """The code (lowest first) the promotion would consume, None if it needs none, else NOT_APPLICABLE."""
    requirement = promotion.coupon
    if requirement is None:
        return None
    for code in sorted(cart.coupons & requirement.codes):
        if code_has_uses_left(requirement, usage.get(code, CouponUse()), cart.customer_id):
            return code
    return NOT_APPLICABLE


def applies_to_context(promotion: PromotionVersion, cart: Cart) -> bool:
    return (
        promotion.currency in (None, cart.currency)
        and promotion.window.is_open_at(cart.instant, cart.region)
        and promotion.scope.covers_context(cart.channel, cart.region, cart.store_cluster)
    )
