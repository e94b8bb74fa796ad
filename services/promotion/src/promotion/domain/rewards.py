"""Applying the per-item and order-level mechanics to a ledger.

Each function takes the units on the promotion's eligible lines (still worth something), applies
the mechanic within the promotion's limits, and returns the lines it touched.
"""

from __future__ import annotations

from canon.money import Money

from promotion.domain.allocation import by_line, percent_of, percent_off_each_line, spread, spread_over_units
from promotion.domain.ledger import Ledger, UnitRef
from promotion.domain.mechanics import AmountOff, FixedPrice, PercentOff, SpendThreshold
from promotion.domain.selection import most_valuable_first, within_limits
from promotion.domain.version import PromotionVersion


def _limited(promotion: PromotionVersion, ledger: Ledger, units: list[UnitRef]) -> list[UnitRef]:
    return within_limits(most_valuable_first(ledger, units), promotion.limits)


def apply_percent_off(
    promotion: PromotionVersion, mechanic: PercentOff, ledger: Ledger, units: list[UnitRef]
) -> set[int]:
    chosen = _limited(promotion, ledger, units)
    percent_off_each_line(ledger, promotion, chosen, mechanic.percent)
    return {line for line, _ in chosen}


def apply_amount_off(
    promotion: PromotionVersion, mechanic: AmountOff, ledger: Ledger, units: list[UnitRef]
) -> set[int]:
    """Per unit and per line never take more than is left; per order is spread over the lines."""
    chosen = _limited(promotion, ledger, units)
    amount = mechanic.amount.amount_minor
    if mechanic.per == "unit":
        for line, line_units in by_line(chosen).items():
            ledger.take(
                promotion, line, {unit: min(amount, ledger.remaining[line][unit]) for unit in line_units}
            )
    elif mechanic.per == "line":
        for line, line_units in by_line(chosen).items():
            spread_over_units(ledger, promotion, line, line_units, amount)
    else:
        spread(ledger, promotion, chosen, amount)
    return {line for line, _ in chosen}


def apply_fixed_price(
    promotion: PromotionVersion, mechanic: FixedPrice, ledger: Ledger, units: list[UnitRef]
) -> set[int]:
    """A unit already at or below the fixed price gets nothing (no surcharge, no negative discount)."""
    price = mechanic.price.amount_minor
    chosen = [unit for unit in most_valuable_first(ledger, units) if ledger.value(unit) > price]
    chosen = within_limits(chosen, promotion.limits)
    for line, line_units in by_line(chosen).items():
        ledger.take(promotion, line, {unit: ledger.remaining[line][unit] - price for unit in line_units})
    return {line for line, _ in chosen}


def apply_spend_threshold(
    promotion: PromotionVersion, mechanic: SpendThreshold, ledger: Ledger, units: list[UnitRef]
) -> set[int]:
    """Spend is what is left on the eligible units (after earlier promotions); the top tier reached wins."""
    chosen = _limited(promotion, ledger, units)
    spend_minor = sum(ledger.value(unit) for unit in chosen)
    tier = mechanic.tier_reached(Money(spend_minor, mechanic.tiers[0].threshold.currency))
    if tier is None:
        return set()
    if tier.percent_off is not None:
        reward = percent_of(spend_minor, tier.percent_off)
    else:
        assert tier.amount_off is not None  # Tier holds exactly one reward
        reward = tier.amount_off.amount_minor
    spread(ledger, promotion, chosen, reward)
    return {line for line, _ in chosen}
