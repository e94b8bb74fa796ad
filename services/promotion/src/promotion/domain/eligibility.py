"""Coupon codes: does a cart carry a usable one (the engine checks currency, window and place on
the compiled plan itself)."""

from __future__ import annotations

from promotion.domain.cart import Cart, CouponUsage, CouponUse
from promotion.domain.plan import Plan
from promotion.domain.terms import CouponRequirement

_UNUSED = CouponUse()


def code_has_uses_left(requirement: CouponRequirement, use: CouponUse, customer_id: str | None) -> bool:
    if not requirement.multi_use:
        return use.total_used == 0
    if requirement.total_limit is not None and use.total_used >= requirement.total_limit:
        return False
    if requirement.per_customer_limit is not None:
        return customer_id is not None and use.used_by_customer < requirement.per_customer_limit
    return True


def coupon_check(plan: Plan, cart: Cart, usage: CouponUsage) -> tuple[bool, str | None]:
    """(applies, code it would consume): the lowest usable code, or (True, None) if none is needed."""
    requirement = plan.coupon
    if requirement is None:
        return True, None
    for code in sorted(cart.coupons & requirement.codes):
        if code_has_uses_left(requirement, usage.get(code, _UNUSED), cart.customer_id):
            return True, code
    return False, None
