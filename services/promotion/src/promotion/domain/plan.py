"""A promotion version compiled once into what evaluation reads: frozensets, integer minor units,
integer percentage ratios, window instants resolved per region, mechanic parameters flattened.

A :class:`Plan` is derived data only (the version stays the source of truth and is what results
name). Compiling is pure and deterministic; :func:`plan_for` caches plans by version identity so
a caller passing the same version objects again (the index, the naive baseline) compiles once.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Final

from promotion.domain.item_set import ItemSet
from promotion.domain.mechanics import (
    AmountOff,
    BundlePrice,
    BuyXGetY,
    FixedPrice,
    PercentOff,
    SpendThreshold,
    mechanic_item_sets,
)
from promotion.domain.terms import CouponRequirement
from promotion.domain.version import PromotionVersion

PERCENT: Final = 0
AMOUNT_UNIT: Final = 1
AMOUNT_LINE: Final = 2
AMOUNT_ORDER: Final = 3
FIXED: Final = 4
BUY_GET: Final = 5
BUNDLE: Final = 6
SPEND: Final = 7

ItemKeys = tuple[frozenset[str], frozenset[str], bool]
"""(skus, categories, is_any) of an item set."""

_RATIOS: dict[Decimal, tuple[int, int]] = {}


def ratio(percent: Decimal) -> tuple[int, int]:
    """``percent / 100`` as an exact integer fraction (cached: promotions reuse a few percentages)."""
    found = _RATIOS.get(percent)
    if found is None:
        numerator, denominator = (percent / Decimal(100)).as_integer_ratio()
        found = _RATIOS.setdefault(percent, (numerator, denominator))
    return found


def _keys(item_set: ItemSet) -> ItemKeys:
    return item_set.skus, item_set.categories, item_set.is_any


def contains(keys: ItemKeys, sku: str, category_id: str) -> bool:
    return keys[2] or sku in keys[0] or category_id in keys[1]


class Plan:
    """The evaluation-ready form of one :class:`PromotionVersion` (see the module doc)."""

    __slots__ = (
        "amount",
        "any_line",
        "buy_qty",
        "buy_set",
        "categories",
        "channels",
        "cheapest",
        "clusters",
        "components",
        "coupon",
        "currency",
        "end",
        "excluded_categories",
        "excluded_items",
        "exclusive",
        "get_qty",
        "get_set",
        "group",
        "item_sets",
        "items",
        "key",
        "kind",
        "local",
        "matched_is_eligible",
        "names_items",
        "per_line",
        "per_line_only",
        "per_transaction",
        "price",
        "ratio",
        "regional",
        "regions",
        "repeatable",
        "sort_key",
        "start",
        "tiers",
        "trial_optional",
        "units_per_bundle",
        "version",
    )

    def __init__(self, version: PromotionVersion) -> None:
        self.version = version
        self.key: tuple[str, int] = (version.promotion_id, version.version)
        self.sort_key: tuple[int, str, int] = version.sort_key
        self.exclusive: bool = version.stacking.exclusive
        self.group: str | None = version.stacking.stacking_group
        self.currency: str | None = version.currency
        window = version.window
        self.start: datetime = window.start
        self.end: datetime = window.end
        self.regional: dict[str, tuple[datetime, datetime]] = {
            region: regional.instants() for region, regional in window.regional_windows.items()
        }
        scope = version.scope
        self.channels: frozenset[str] = scope.channels
        self.regions: frozenset[str] = scope.regions
        self.clusters: frozenset[str] = scope.store_clusters
        self.items: frozenset[str] = scope.items
        self.categories: frozenset[str] = scope.categories
        self.excluded_items: frozenset[str] = scope.excluded_items
        self.excluded_categories: frozenset[str] = scope.excluded_categories
        self.names_items: bool = scope.names_items
        self.coupon: CouponRequirement | None = version.coupon
        item_sets = mechanic_item_sets(version.mechanic)
        self.item_sets: tuple[ItemKeys, ...] | None = (
            None if item_sets is None else tuple(_keys(item_set) for item_set in item_sets)
        )
        self.any_line: bool = not (
            self.names_items or self.excluded_items or self.excluded_categories or item_sets is not None
        )
        """Every line is eligible (no item in scope named, none excluded, no item sets)."""
        self.matched_is_eligible: bool = (
            not self.excluded_items
            and not self.excluded_categories
            and (item_sets is None or not self.names_items)
        )
        """A line the index matched on this plan's keys (its scope items, else its item sets) is
        eligible without testing: nothing is excluded and no other item set must also match."""
        self.local: bool = bool(self.regions or self.clusters or self.regional)
        """The place matters (regions, store clusters or regional windows), not only the channel."""
        self.per_line: int | None = version.limits.max_units_per_line
        self.per_transaction: int | None = version.limits.max_units_per_transaction
        # Mechanic parameters (only those of its kind are meaningful).
        self.ratio: tuple[int, int] = (1, 1)
        self.amount = 0
        self.price = 0
        self.buy_qty = self.get_qty = 0
        self.repeatable = True
        self.cheapest = True
        self.buy_set: ItemKeys = (frozenset(), frozenset(), True)
        self.get_set: ItemKeys = self.buy_set
        self.components: tuple[tuple[ItemKeys, int], ...] = ()
        self.units_per_bundle = 0
        self.tiers: tuple[tuple[int, tuple[int, int] | None, int], ...] = ()
        """(threshold, percent ratio or None, amount) per tier, lowest threshold first."""
        mechanic = version.mechanic
        match mechanic:
            case PercentOff():
                self.kind = PERCENT
                self.ratio = ratio(mechanic.percent)
            case AmountOff():
                self.kind = {"unit": AMOUNT_UNIT, "line": AMOUNT_LINE}.get(mechanic.per, AMOUNT_ORDER)
                self.amount = mechanic.amount.amount_minor
            case FixedPrice():
                self.kind = FIXED
                self.price = mechanic.price.amount_minor
            case BuyXGetY():
                self.kind = BUY_GET
                self.ratio = ratio(mechanic.get_percent_off)
                self.buy_qty, self.get_qty = mechanic.buy_qty, mechanic.get_qty
                self.repeatable = mechanic.repeatable
                self.cheapest = mechanic.get_units == "cheapest"
                self.buy_set = _keys(mechanic.buy_set)
                self.get_set = _keys(mechanic.effective_get_set)
            case BundlePrice():
                self.kind = BUNDLE
                self.price = mechanic.price.amount_minor
                self.components = tuple((_keys(c.items), c.qty) for c in mechanic.components)
                self.units_per_bundle = mechanic.units_per_bundle
            case SpendThreshold():
                self.kind = SPEND
                self.tiers = tuple(
                    (
                        tier.threshold.amount_minor,
                        None if tier.percent_off is None else ratio(tier.percent_off),
                        0 if tier.amount_off is None else tier.amount_off.amount_minor,
                    )
                    for tier in mechanic.tiers
                )
            case _:
                raise AssertionError(f"unhandled mechanic {type(mechanic).__name__}")
        self.per_line_only: bool = self.per_transaction is None and self.kind in (
            PERCENT,
            AMOUNT_UNIT,
            AMOUNT_LINE,
            FIXED,
        )
        """What it takes off a line depends on that line alone (not on which other lines it has)."""
        self.trial_optional: bool = (
            not self.exclusive
            and self.group is None
            and (
                self.kind in (AMOUNT_UNIT, AMOUNT_LINE, AMOUNT_ORDER, FIXED)
                or (self.kind == PERCENT and self.per_transaction is None)
            )
        )
        """A stackable promotion outside any stacking group needs no trial alone: only a saving of
        zero would drop it, and then it saves nothing after others either. An amount off saves
        whenever a unit is left, a fixed price whenever a unit is above it, and a percentage
        without a per-transaction limit is taken per line of the line's most valuable units,
        which earlier promotions only lower. (A per-transaction limit can shift the chosen units
        to other lines, and tiers or got units can change with what is left, so those are tried.)"""

    def is_open_at(self, instant: datetime, region: str | None) -> bool:
        bounds = self.regional.get(region) if region is not None and self.regional else None
        if bounds is None:
            return self.start <= instant < self.end
        return bounds[0] <= instant < bounds[1]

    def covers_context(self, channel: str, region: str | None, store_cluster: str | None) -> bool:
        return (
            (not self.channels or channel in self.channels)
            and (not self.regions or region in self.regions)
            and (not self.clusters or store_cluster in self.clusters)
        )

    def line_is_eligible(self, sku: str, category_id: str) -> bool:
        """In scope (exclusions win) and, for set-based mechanics, in one of its item sets."""
        if sku in self.excluded_items or category_id in self.excluded_categories:
            return False
        if self.names_items and sku not in self.items and category_id not in self.categories:
            return False
        item_sets = self.item_sets
        if item_sets is None:
            return True
        for skus, categories, is_any in item_sets:
            if is_any or sku in skus or category_id in categories:
                return True
        return False


_PLANS: dict[int, Plan] = {}
_MAX_CACHED = 20_000


def plan_for(version: PromotionVersion) -> Plan:
    """The compiled plan of ``version``, cached by identity (the plan keeps the version alive, so
    an id is never reused while its entry exists); the cache is dropped whole when it grows large."""
    plan = _PLANS.get(id(version))
    if plan is None or plan.version is not version:
        if len(_PLANS) >= _MAX_CACHED:
            _PLANS.clear()
        plan = _PLANS[id(version)] = Plan(version)
    return plan
