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
        line_id, sku, category_id, qty, price = (
            self.line_id,
            self.sku,
            self.category_id,
            self.qty,
            self.unit_price,
        )
        if (  # the common, valid line in a few cheap tests (built per line on the evaluation path)
            type(line_id) is str
            and type(sku) is str
            and type(category_id) is str
            and line_id
            and sku
            and category_id
            and line_id.strip() == line_id
            and sku.strip() == sku
            and category_id.strip() == category_id
            and type(qty) is int
            and qty >= 1
            and type(price) is Money
            and price.amount_minor >= 0
        ):
            return
        _checks.identifier("line_id", line_id)
        _checks.identifier("sku", sku)
        _checks.identifier("category_id", category_id)
        _checks.integer("qty", qty, 1)
        _checks.money("unit_price", price)

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
