"""One immutable version of a promotion: everything a channel needs to apply it."""

from __future__ import annotations

import msgspec

from promotion.domain import _checks
from promotion.domain.errors import ValidationError
from promotion.domain.mechanics import MECHANIC_TYPES, Mechanic, mechanic_currency
from promotion.domain.scope import Scope
from promotion.domain.terms import Accounting, CouponRequirement, Funding, Limits, Stacking
from promotion.domain.window import Window


class PromotionVersion(msgspec.Struct, frozen=True, kw_only=True):
    """Version ``version`` of promotion ``promotion_id``. An edit makes a new version, never a change."""

    promotion_id: str
    version: int
    name: str
    window: Window
    mechanic: Mechanic
    description: str = ""
    scope: Scope = Scope()
    stacking: Stacking = Stacking()
    limits: Limits = Limits()
    coupon: CouponRequirement | None = None
    funding: Funding = Funding()
    accounting: Accounting = Accounting()

    def __post_init__(self) -> None:
        _checks.identifier("promotion_id", self.promotion_id)
        _checks.integer("version", self.version, 1)
        _checks.text("name", self.name)
        if not isinstance(self.mechanic, MECHANIC_TYPES):
            raise ValidationError("mechanic", f"unknown mechanic {type(self.mechanic).__name__}")
        for region in sorted(self.window.regional_windows):
            if self.scope.regions and region not in self.scope.regions:
                raise ValidationError(f"window.regional_windows[{region}]", "region is not in scope.regions")

    @property
    def currency(self) -> str | None:
        """Currency of the mechanic's amounts; the promotion only applies to carts in it."""
        return mechanic_currency(self.mechanic)

    @property
    def sort_key(self) -> tuple[int, str, int]:
        """Application order: priority (lower first), then id, then version."""
        return (self.stacking.priority, self.promotion_id, self.version)
