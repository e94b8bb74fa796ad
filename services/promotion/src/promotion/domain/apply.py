"""Apply one promotion version to a ledger: pick its eligible lines, run its mechanic."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence

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


class CartLookup:
    """Line indexes of a cart by sku and by category, built once per evaluation."""

    __slots__ = ("by_category", "by_sku", "lines")

    def __init__(self, lines: Sequence[CartLine]) -> None:
        self.lines = lines
        self.by_sku: dict[str, list[int]] = defaultdict(list)
        self.by_category: dict[str, list[int]] = defaultdict(list)
        for index, line in enumerate(lines):
            self.by_sku[line.sku].append(index)
            self.by_category[line.category_id].append(index)

    def scan_lines(self, promotion: PromotionVersion) -> list[int]:
        """The eligible lines by testing every line (the plain definition)."""
        return [i for i, line in enumerate(self.lines) if line_is_eligible(promotion, line)]

    def eligible_lines(self, promotion: PromotionVersion) -> list[int]:
        """Same answer as testing :func:`line_is_eligible` on every line, in line order, but only
        looks at the lines the promotion's scope names (when it names items)."""
        scope = promotion.scope
        if not scope.names_items:
            return self.scan_lines(promotion)
        found: set[int] = set()
        for keys, lines_by_key in ((scope.items, self.by_sku), (scope.categories, self.by_category)):
            if len(keys) < len(lines_by_key):
                for key in keys:
                    found.update(lines_by_key.get(key, ()))
            else:
                for key, indexes in lines_by_key.items():
                    if key in keys:
                        found.update(indexes)
        return [i for i in sorted(found) if line_is_eligible(promotion, self.lines[i])]


def apply_promotion(
    promotion: PromotionVersion,
    ledger: Ledger,
    blocked_lines: Collection[int] = (),
    eligible: Sequence[int] | None = None,
) -> set[int]:
    """Apply ``promotion`` to its ``eligible`` lines (all lines checked when None) except
    ``blocked_lines``; return the lines it touched."""
    if eligible is None:
        eligible = [index for index, line in enumerate(ledger.lines) if line_is_eligible(promotion, line)]
    lines = [index for index in eligible if index not in blocked_lines]
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
