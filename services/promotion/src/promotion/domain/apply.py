"""Apply one promotion version to a ledger: pick its eligible lines, run its mechanic."""

from __future__ import annotations

from collections.abc import Collection

from promotion.domain.bundles import apply_bundle_price
from promotion.domain.buy_get import apply_buy_x_get_y
from promotion.domain.cart import CartLine
from promotion.domain.ledger import Ledger
from promotion.domain.mechanics import (
    AmountOff,
    BundlePrice,
    BuyXGetY,
    FixedPrice,
    PercentOff,
    SpendThreshold,
    mechanic_item_sets,
)
from promotion.domain.rewards import (
    apply_amount_off,
    apply_fixed_price,
    apply_percent_off,
    apply_spend_threshold,
)
from promotion.domain.version import PromotionVersion


def line_is_eligible(promotion: PromotionVersion, line: CartLine) -> bool:
    """In the promotion's scope and, for set-based mechanics, in one of its item sets."""
    if not promotion.scope.covers_item(line.sku, line.category_id):
        return False
    item_sets = mechanic_item_sets(promotion.mechanic)
    return item_sets is None or any(item_set.contains(line.sku, line.category_id) for item_set in item_sets)


def apply_promotion(
    promotion: PromotionVersion, ledger: Ledger, blocked_lines: Collection[int] = ()
) -> set[int]:
    """Apply ``promotion`` to the lines not in ``blocked_lines``; return the lines it touched."""
    lines = [
        index
        for index, line in enumerate(ledger.lines)
        if index not in blocked_lines and line_is_eligible(promotion, line)
    ]
    units = ledger.units_with_value(lines)
    if not units:
        return set()
    mechanic = promotion.mechanic
    match mechanic:
        case PercentOff():
            return apply_percent_off(promotion, mechanic, ledger, units)
        case AmountOff():
            return apply_amount_off(promotion, mechanic, ledger, units)
        case FixedPrice():
            return apply_fixed_price(promotion, mechanic, ledger, units)
        case BuyXGetY():
            return apply_buy_x_get_y(promotion, mechanic, ledger, units)
        case BundlePrice():
            return apply_bundle_price(promotion, mechanic, ledger, units)
        case SpendThreshold():
            return apply_spend_threshold(promotion, mechanic, ledger, units)
    raise AssertionError(f"unhandled mechanic {type(mechanic).__name__}")
