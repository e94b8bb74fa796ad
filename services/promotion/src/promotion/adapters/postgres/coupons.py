"""PostgreSQL adapter of the Coupons port: counts per code (total row '' and per customer), locked
per code so concurrent redemptions of one code serialise and never overshoot a limit."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from promotion.adapters.postgres.tables import coupon_redemptions, coupon_usage
from promotion.application.ports import RedemptionRecord
from promotion.domain.cart import CouponUse

TOTAL = ""


class PostgresCoupons:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def usage(self, codes: Collection[str], customer_id: str | None) -> dict[str, CouponUse]:
        if not codes:
            return {}
        keys = [TOTAL] + ([customer_id] if customer_id else [])
        rows = (
            await self._session.execute(
                select(coupon_usage).where(
                    coupon_usage.c.code.in_(list(codes)), coupon_usage.c.customer_id.in_(keys)
                )
            )
        ).all()
        totals: dict[str, list[int]] = {}
        for row in rows:
            counts = totals.setdefault(row.code, [0, 0])
            counts[0 if row.customer_id == TOTAL else 1] = row.used
        return {code: CouponUse(total_used=t, used_by_customer=c) for code, (t, c) in totals.items()}

    async def lock_usage(self, code: str, customer_id: str | None) -> CouponUse:
        keys = [TOTAL] + ([customer_id] if customer_id else [])
        await self._session.execute(
            insert(coupon_usage)
            .values([{"code": code, "customer_id": k, "used": 0} for k in keys])
            .on_conflict_do_nothing()
        )
        rows = (
            await self._session.execute(
                select(coupon_usage)
                .where(coupon_usage.c.code == code, coupon_usage.c.customer_id.in_(keys))
                .order_by(coupon_usage.c.customer_id)
                .with_for_update()
            )
        ).all()
        by_key = {row.customer_id: row.used for row in rows}
        return CouponUse(total_used=by_key.get(TOTAL, 0), used_by_customer=by_key.get(customer_id or "\0", 0))

    async def find(self, code: str, reference: str) -> RedemptionRecord | None:
        row = (
            await self._session.execute(
                select(coupon_redemptions).where(
                    coupon_redemptions.c.code == code, coupon_redemptions.c.reference == reference
                )
            )
        ).first()
        if row is None:
            return None
        return RedemptionRecord(
            code=row.code,
            reference=row.reference,
            promotion_id=row.promotion_id,
            version=row.version,
            customer_id=row.customer_id,
            redeemed_at=row.redeemed_at,
            source=row.source,
            over_limit=row.over_limit,
        )

    async def record(self, redemption: RedemptionRecord) -> None:
        await self._session.execute(
            coupon_redemptions.insert().values(
                code=redemption.code,
                reference=redemption.reference,
                promotion_id=redemption.promotion_id,
                version=redemption.version,
                customer_id=redemption.customer_id,
                redeemed_at=redemption.redeemed_at,
                source=redemption.source,
                over_limit=redemption.over_limit,
            )
        )
        keys = [TOTAL] + ([redemption.customer_id] if redemption.customer_id else [])
        await self._session.execute(
            update(coupon_usage)
            .where(coupon_usage.c.code == redemption.code, coupon_usage.c.customer_id.in_(keys))
            .values(used=coupon_usage.c.used + 1)
        )
