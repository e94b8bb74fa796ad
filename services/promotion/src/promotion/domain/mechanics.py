"""Promotion mechanics: what the discount is. A tagged union (``kind``) so JSON says which one.

Percentages are Decimals in (0, 100]; amounts are Money. Validation errors name the field as
``mechanic.<field>``. Coupon requirements are a property of the promotion, not a mechanic.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

import msgspec
from canon.money import Money

from promotion.domain import _checks
from promotion.domain.errors import ValidationError
from promotion.domain.item_set import ItemSet

AmountPer = Literal["unit", "line", "order"]
GetUnits = Literal["cheapest", "most_expensive"]


class PercentOff(msgspec.Struct, frozen=True, kw_only=True, tag_field="kind", tag="percent_off"):
    percent: Decimal

    def __post_init__(self) -> None:
        _checks.percent("mechanic.percent", self.percent)


class AmountOff(msgspec.Struct, frozen=True, kw_only=True, tag_field="kind", tag="amount_off"):
    """``amount`` off each unit, each line, or the order (spread over the eligible lines)."""

    amount: Money
    per: AmountPer

    def __post_init__(self) -> None:
        _checks.money("mechanic.amount", self.amount, positive=True)
        _checks.one_of("mechanic.per", self.per, AmountPer)


class FixedPrice(msgspec.Struct, frozen=True, kw_only=True, tag_field="kind", tag="fixed_price"):
    """Each eligible unit sells at ``price``; a unit already cheaper is left alone (never a surcharge)."""

    price: Money

    def __post_init__(self) -> None:
        _checks.money("mechanic.price", self.price)


class BuyXGetY(msgspec.Struct, frozen=True, kw_only=True, tag_field="kind", tag="buy_x_get_y"):
    """Buy ``buy_qty`` from ``buy_set``, get ``get_qty`` from ``get_set`` at ``get_percent_off``.

    ``get_set`` None means the same set. The get units are the cheapest eligible units by default
    ("of equal or lesser value") or the most expensive; a unit is never both bought and got.
    """

    buy_qty: int
    get_qty: int
    get_percent_off: Decimal = Decimal(100)
    buy_set: ItemSet = ItemSet()
    get_set: ItemSet | None = None
    repeatable: bool = True
    get_units: GetUnits = "cheapest"

    def __post_init__(self) -> None:
        _checks.integer("mechanic.buy_qty", self.buy_qty, 1)
        _checks.integer("mechanic.get_qty", self.get_qty, 1)
        _checks.percent("mechanic.get_percent_off", self.get_percent_off)
        _checks.one_of("mechanic.get_units", self.get_units, GetUnits)

    @property
    def effective_get_set(self) -> ItemSet:
        return self.buy_set if self.get_set is None else self.get_set


class BundleComponent(msgspec.Struct, frozen=True, kw_only=True):
    items: ItemSet
    qty: int

    def __post_init__(self) -> None:
        if self.items.is_any:
            raise ValidationError("mechanic.components[].items", "must name at least one sku or category")
        _checks.integer("mechanic.components[].qty", self.qty, 1)


class BundlePrice(msgspec.Struct, frozen=True, kw_only=True, tag_field="kind", tag="bundle_price"):
    """One unit set per component sells together at ``price``; bundles repeat while units last."""

    components: list[BundleComponent]
    price: Money

    def __post_init__(self) -> None:
        if not self.components:
            raise ValidationError("mechanic.components", "must have at least one component")
        _checks.money("mechanic.price", self.price)

    @property
    def units_per_bundle(self) -> int:
        return sum(component.qty for component in self.components)


class Tier(msgspec.Struct, frozen=True, kw_only=True):
    """Spend at least ``threshold`` (eligible amount) and get a percent or an amount off."""

    threshold: Money
    percent_off: Decimal | None = None
    amount_off: Money | None = None

    def __post_init__(self) -> None:
        _checks.money("mechanic.tiers[].threshold", self.threshold, positive=True)
        if (self.percent_off is None) == (self.amount_off is None):
            raise ValidationError("mechanic.tiers[]", "needs exactly one of percent_off and amount_off")
        if self.percent_off is not None:
            _checks.percent("mechanic.tiers[].percent_off", self.percent_off)
        if self.amount_off is not None:
            _checks.money("mechanic.tiers[].amount_off", self.amount_off, positive=True)
            if self.amount_off.currency != self.threshold.currency:
                raise ValidationError("mechanic.tiers[].amount_off", "currency differs from the threshold")


class SpendThreshold(msgspec.Struct, frozen=True, kw_only=True, tag_field="kind", tag="spend_threshold"):
    """The highest tier reached by the eligible amount applies, off the order (spread over lines)."""

    tiers: list[Tier]

    def __post_init__(self) -> None:
        if not self.tiers:
            raise ValidationError("mechanic.tiers", "must have at least one tier")
        for index in range(1, len(self.tiers)):
            previous, tier = self.tiers[index - 1].threshold, self.tiers[index].threshold
            if tier.currency != previous.currency:
                raise ValidationError(f"mechanic.tiers[{index}].threshold", "currency differs from tier 0")
            if tier <= previous:
                raise ValidationError(f"mechanic.tiers[{index}].threshold", "must be above the tier before")

    def tier_reached(self, spend: Money) -> Tier | None:
        reached = [tier for tier in self.tiers if tier.threshold <= spend]
        return reached[-1] if reached else None


Mechanic = PercentOff | AmountOff | FixedPrice | BuyXGetY | BundlePrice | SpendThreshold
MECHANIC_TYPES = (PercentOff, AmountOff, FixedPrice, BuyXGetY, BundlePrice, SpendThreshold)


def mechanic_currency(mechanic: Mechanic) -> str | None:
    """The currency the mechanic's amounts are in (None when it has no amounts)."""
    match mechanic:
        case AmountOff(amount=amount):
            return amount.currency
        case FixedPrice(price=price) | BundlePrice(price=price):
            return price.currency
        case SpendThreshold(tiers=tiers):
            return tiers[0].threshold.currency
    return None


def mechanic_item_sets(mechanic: Mechanic) -> list[ItemSet] | None:
    """Item sets a line must fall in to be touched, or None when any item in scope can be."""
    match mechanic:
        case BuyXGetY():
            sets = [mechanic.buy_set, mechanic.effective_get_set]
        case BundlePrice(components=components):
            sets = [component.items for component in components]
        case _:
            return None
    return None if any(item_set.is_any for item_set in sets) else sets
