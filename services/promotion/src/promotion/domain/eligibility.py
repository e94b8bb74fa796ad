"""Does a promotion version apply to this cart at all: currency, window, place, coupon."""

from __future__ import annotations

from promotion.domain.cart import Cart, CouponUsage, CouponUse
from promotion.domain.terms import CouponRequirement
from promotion.domain.version import PromotionVersion


def code_has_uses_left(requirement: CouponRequirement, use: CouponUse, customer_id: str | None) -> bool:
    if not requirement.multi_use:
        return use.total_used == 0
    if requirement.total_limit is not None and use.total_used >= requirement.total_limit:
        return False
    if requirement.per_customer_limit is not None:
        return customer_id is not None and use.used_by_customer < requirement.per_customer_limit
    return True


def coupon_check(promotion: PromotionVersion, cart: Cart, usage: CouponUsage) -> tuple[bool, str | None]:
    """(applies, code it would consume): the lowest usable code, or (True, None) if none is needed."""
    requirement = promotion.coupon
    if requirement is None:
        return True, None
    for code in sorted(cart.coupons & requirement.codes):
        if code_has_uses_left(requirement, usage.get(code, CouponUse()), cart.customer_id):
            return True, code
    return False, None


def applies_to_context(promotion: PromotionVersion, cart: Cart) -> bool:
    return (
        promotion.currency in (None, cart.currency)
        and promotion.window.is_open_at(cart.instant, cart.region)
        and promotion.scope.covers_context(cart.channel, cart.region, cart.store_cluster)
    )
