"""The commercial terms around a mechanic: stacking, limits, coupons, funding, accounting."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

import msgspec

from promotion.domain import _checks
from promotion.domain.errors import ValidationError

FundingSource = Literal["retailer", "vendor"]
GlDiscountAccount = Literal["promotional_discount", "markdown"]


class Stacking(msgspec.Struct, frozen=True, kw_only=True):
    """How the promotion combines with others.

    ``exclusive``: no other promotion touches the lines it touches. ``stacking_group``: at most
    one promotion of a group applies (the best for the customer). ``priority``: lower applies
    first and wins ties.
    """

    exclusive: bool = False
    stacking_group: str | None = None
    priority: int = 100

    def __post_init__(self) -> None:
        if self.stacking_group is not None:
            _checks.identifier("stacking.stacking_group", self.stacking_group)
        _checks.integer("stacking.priority", self.priority, 0)


class Limits(msgspec.Struct, frozen=True, kw_only=True):
    """How many units the promotion may discount per line and per transaction (None: no limit).

    When a limit bites, the most valuable eligible units are the ones discounted.
    """

    max_units_per_line: int | None = None
    max_units_per_transaction: int | None = None

    def __post_init__(self) -> None:
        _checks.optional_integer("limits.max_units_per_line", self.max_units_per_line, 1)
        _checks.optional_integer("limits.max_units_per_transaction", self.max_units_per_transaction, 1)


class CouponRequirement(msgspec.Struct, frozen=True, kw_only=True):
    """The cart must carry one of ``codes``, and that code must have uses left.

    A single-use code is redeemable once in total. A multi-use code is limited by
    ``total_limit`` (all customers) and ``per_customer_limit``; a per-customer limit cannot be
    checked for an anonymous cart, so such a code does not apply there. Limits count per code.
    """

    codes: frozenset[str]
    multi_use: bool = False
    per_customer_limit: int | None = None
    total_limit: int | None = None

    def __post_init__(self) -> None:
        if not self.codes:
            raise ValidationError("coupon.codes", "must name at least one code")
        _checks.identifiers("coupon.codes", self.codes)
        _checks.optional_integer("coupon.per_customer_limit", self.per_customer_limit, 1)
        _checks.optional_integer("coupon.total_limit", self.total_limit, 1)


class Funding(msgspec.Struct, frozen=True, kw_only=True):
    """Who pays for the discount; a vendor-funded share becomes a vendor funding claim."""

    source: FundingSource = "retailer"
    vendor_id: str | None = None
    share_pct: Decimal = Decimal(0)

    def __post_init__(self) -> None:
        _checks.one_of("funding.source", self.source, FundingSource)
        if self.source == "vendor":
            _checks.identifier("funding.vendor_id", self.vendor_id)
            _checks.percent("funding.share_pct", self.share_pct)
        elif self.vendor_id is not None or self.share_pct != 0:
            raise ValidationError("funding.vendor_id", "only a vendor-funded promotion names a vendor")


class Accounting(msgspec.Struct, frozen=True, kw_only=True):
    """The GL account the discount posts to, and whether it lowers the taxable base.

    A manufacturer coupon, for example, does not reduce the base (``reduces_tax_base=False``).
    """

    gl_discount_account: GlDiscountAccount = "promotional_discount"
    reduces_tax_base: bool = True

    def __post_init__(self) -> None:
        _checks.one_of("accounting.gl_discount_account", self.gl_discount_account, GlDiscountAccount)
