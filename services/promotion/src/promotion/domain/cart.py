"""What the engine evaluates: a cart in one channel, place and instant, and the coupon usage so far."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import msgspec
from canon.money import Money

from promotion.domain import _checks
from promotion.domain.errors import ValidationError


class CartLine(msgspec.Struct, frozen=True, kw_only=True):
    """``qty`` whole units of ``sku`` at ``unit_price`` each; ``line_id`` is the caller's key."""

    line_id: str
    sku: str
    category_id: str
    qty: int
    unit_price: Money

    def __post_init__(self) -> None:
        _checks.identifier("line_id", self.line_id)
        _checks.identifier("sku", self.sku)
        _checks.identifier("category_id", self.category_id)
        _checks.integer("qty", self.qty, 1)
        _checks.money("unit_price", self.unit_price)

    @property
    def canonical_key(self) -> tuple[str, str, int, int, str]:
        """Sort key that makes evaluation independent of the order the caller sent the lines in."""
        return (self.sku, self.category_id, self.unit_price.amount_minor, self.qty, self.line_id)


class Cart(msgspec.Struct, frozen=True, kw_only=True):
    """A cart to price; the caller resolves ``node`` to its ``region`` and ``store_cluster``."""

    channel: str
    instant: datetime
    currency: str
    lines: list[CartLine]
    node: str | None = None
    region: str | None = None
    store_cluster: str | None = None
    customer_id: str | None = None
    coupons: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        _checks.identifier("channel", self.channel)
        _checks.utc_instant("instant", self.instant)
        Money.zero(self.currency)  # raises ValidationError("currency") when unknown
        seen: set[str] = set()
        for index, line in enumerate(self.lines):
            if line.line_id in seen:
                raise ValidationError(f"lines[{index}].line_id", f"duplicate {line.line_id!r}")
            if line.unit_price.currency != self.currency:
                raise ValidationError(f"lines[{index}].unit_price", f"is not in {self.currency}")
            seen.add(line.line_id)


class CouponUse(msgspec.Struct, frozen=True, kw_only=True):
    """Redemptions of one code so far: by everyone, and by this cart's customer."""

    total_used: int = 0
    used_by_customer: int = 0


CouponUsage = Mapping[str, CouponUse]
"""Coupon code -> its usage snapshot; a code missing from the mapping has not been used."""
