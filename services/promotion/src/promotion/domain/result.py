"""What the engine returns: per-line adjustments traceable to the promotion version that made them.

Amounts are positive discounts (a line's ``net`` is ``gross - discount``).
"""

from __future__ import annotations

import msgspec
from canon.money import Money

from promotion.domain.terms import Accounting, Funding


class LineAdjustment(msgspec.Struct, frozen=True, kw_only=True):
    promotion_id: str
    version: int
    amount: Money
    units: int
    """How many of the line's units this promotion discounted."""
    funding: Funding
    accounting: Accounting

    @property
    def reduces_tax_base(self) -> bool:
        return self.accounting.reduces_tax_base


class LineResult(msgspec.Struct, frozen=True, kw_only=True):
    line_id: str
    gross: Money
    discount: Money
    net: Money
    adjustments: list[LineAdjustment]


class CouponRedemption(msgspec.Struct, frozen=True, kw_only=True):
    """A code the result relies on: the caller records it as redeemed when the sale completes."""

    code: str
    promotion_id: str
    version: int


class EvaluationResult(msgspec.Struct, frozen=True, kw_only=True):
    lines: list[LineResult]
    """In the caller's line order."""
    total_discount: Money
    coupons_consumed: list[CouponRedemption]
