"""The engine's answer in integers, before any Money is built.

:class:`PricedCart` holds, per line in the caller's order, the line and the tallies the final ledger
kept for it (minor units, units discounted, the plan), and the coupons the answer relies on.
:meth:`PricedCart.result` turns it into the :class:`EvaluationResult` the domain API returns; an
adapter that only writes integers out (the gRPC response) reads it directly and skips the Money,
LineResult and LineAdjustment objects it would otherwise build and take apart again.
"""

from __future__ import annotations

from canon.money import Money

from promotion.domain.cart import CartLine
from promotion.domain.ledger import PromotionKey, Tally
from promotion.domain.result import CouponRedemption, EvaluationResult, LineAdjustment, LineResult

PricedLine = tuple[CartLine, dict[PromotionKey, Tally] | None]
"""A cart line and what each promotion took off it (None: nothing)."""


class PricedCart:
    """Immutable by convention: built once by the engine, read by whoever renders it."""

    __slots__ = ("coupons_consumed", "currency", "lines")

    def __init__(
        self, currency: str, lines: list[PricedLine], coupons_consumed: list[CouponRedemption]
    ) -> None:
        self.currency = currency
        self.lines = lines
        """In the caller's line order."""
        self.coupons_consumed = coupons_consumed
        """Sorted by promotion id, then code."""

    def result(self) -> EvaluationResult:
        currency = self.currency
        zero = Money(0, currency)
        total_minor = 0
        results = []
        for line, tallies in self.lines:
            gross_minor = line.unit_price.amount_minor * line.qty
            gross = Money(gross_minor, currency)
            if tallies is None:
                results.append(
                    LineResult(line_id=line.line_id, gross=gross, discount=zero, net=gross, adjustments=[])
                )
                continue
            adjustments = []
            discount_minor = 0
            for key, (amount_minor, units, plan) in tallies.items():
                version = plan.version
                adjustments.append(
                    LineAdjustment(
                        promotion_id=key[0],
                        version=key[1],
                        amount=Money(amount_minor, currency),
                        units=units,
                        funding=version.funding,
                        accounting=version.accounting,
                    )
                )
                discount_minor += amount_minor
            total_minor += discount_minor
            results.append(
                LineResult(
                    line_id=line.line_id,
                    gross=gross,
                    discount=Money(discount_minor, currency),
                    net=Money(gross_minor - discount_minor, currency),
                    adjustments=adjustments,
                )
            )
        return EvaluationResult(
            lines=results,
            total_discount=Money(total_minor, currency),
            coupons_consumed=list(self.coupons_consumed),
        )
