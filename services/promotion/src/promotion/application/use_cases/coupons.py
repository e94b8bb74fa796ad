"""Coupon redemptions: recorded when a sale that used a code is recorded.

Rules:
- a code belongs to one promotion; the version whose terms apply is the live one (active, else the
  newest approved or scheduled);
- a redemption is identified by (code, reference): recording it again changes nothing;
- over REST (``enforce=True``) a redemption past the code's limits (single use, total, per
  customer) is refused with an error naming ``code``; redemptions of one code are serialised by a
  row lock, so concurrent requests cannot overshoot a limit;
- from a recorded sale (``enforce=False``) the sale already happened: the redemption is counted and
  marked ``over_limit`` instead of being refused.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from promotion.application.errors import CouponLimitReached
from promotion.application.ports import RedemptionRecord, UnitOfWork, UnitOfWorkFactory
from promotion.domain.eligibility import code_has_uses_left
from promotion.domain.errors import ValidationError
from promotion.domain.lifecycle import LIVE_STATUSES
from promotion.domain.version import PromotionVersion


async def _governing_version(uow: UnitOfWork, code: str) -> PromotionVersion:
    owners = await uow.promotions.code_owners([code])
    if code not in owners:
        raise ValidationError("code", f"unknown coupon code {code!r}")
    promotion = await uow.promotions.get(owners[code])
    assert promotion is not None
    live = [r for r in promotion.records if r.status in LIVE_STATUSES]
    active = [r for r in live if r.status == "active"]
    chosen = (active or live)[-1:]
    if not chosen or chosen[0].content.coupon is None or code not in chosen[0].content.coupon.codes:
        raise ValidationError("code", f"coupon code {code!r} belongs to no live promotion version")
    return chosen[0].content


async def redeem_in(
    uow: UnitOfWork,
    code: str,
    reference: str,
    customer_id: str | None,
    *,
    source: str,
    enforce: bool,
    now: datetime,
) -> RedemptionRecord:
    version = await _governing_version(uow, code)
    requirement = version.coupon
    assert requirement is not None
    use = await uow.coupons.lock_usage(code, customer_id)
    earlier = await uow.coupons.find(code, reference)
    if earlier is not None:
        return earlier
    allowed = code_has_uses_left(requirement, use, customer_id)
    if not allowed and enforce:
        if requirement.per_customer_limit is not None and customer_id is None:
            raise ValidationError(
                "customer_id", f"coupon {code!r} has a per-customer limit: name the customer"
            )
        raise CouponLimitReached(
            code,
            f"its limit is used up ({use.total_used} redeemed in total, "
            f"{use.used_by_customer} by this customer)",
        )
    record = RedemptionRecord(
        code=code,
        reference=reference,
        promotion_id=version.promotion_id,
        version=version.version,
        customer_id=customer_id,
        redeemed_at=now,
        source=source,
        over_limit=not allowed,
    )
    await uow.coupons.record(record)
    return record


class RedeemCoupon:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Callable[[], datetime] | None = None) -> None:
        self._uow_factory = uow_factory
        self._clock = clock or (lambda: datetime.now(UTC))

    async def __call__(self, code: str, reference: str, customer_id: str | None) -> RedemptionRecord:
        if not reference.strip():
            raise ValidationError("reference", "must name the sale (e.g. the order id)")
        async with self._uow_factory() as uow:
            record = await redeem_in(
                uow, code, reference, customer_id, source="api", enforce=True, now=self._clock()
            )
            await uow.commit()
        return record
