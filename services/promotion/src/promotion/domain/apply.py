"""Apply one compiled promotion to a ledger: pick its eligible lines, run its mechanic."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence

from promotion.domain.bundles import apply_bundle_price
from promotion.domain.buy_get import apply_buy_x_get_y
from promotion.domain.cart import CartLine
from promotion.domain.ledger import Ledger
from promotion.domain.plan import (
    AMOUNT_LINE,
    AMOUNT_ORDER,
    AMOUNT_UNIT,
    BUNDLE,
    BUY_GET,
    FIXED,
    PERCENT,
    SPEND,
    Plan,
)
from promotion.domain.rewards import (
    apply_amount_off,
    apply_fixed_price,
    apply_percent_off,
    apply_spend_threshold,
)

_MECHANICS: dict[int, Callable[[Plan, Ledger, list[int]], set[int]]] = {
    PERCENT: apply_percent_off,
    AMOUNT_UNIT: apply_amount_off,
    AMOUNT_LINE: apply_amount_off,
    AMOUNT_ORDER: apply_amount_off,
    FIXED: apply_fixed_price,
    BUY_GET: apply_buy_x_get_y,
    BUNDLE: apply_bundle_price,
    SPEND: apply_spend_threshold,
}


class CartLookup:
    """Line indexes of a cart by sku and by category, built once per evaluation, and only when a
    promotion naming items asks (the index hands the engine the lines those matched already)."""

    __slots__ = ("_by_category", "_by_sku", "lines")

    def __init__(self, lines: Sequence[CartLine]) -> None:
        self.lines = lines
        self._by_sku: dict[str, list[int]] | None = None
        self._by_category: dict[str, list[int]] = {}

    def _keyed(self) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
        if self._by_sku is None:
            self._by_sku = {}
            for index, line in enumerate(self.lines):
                self._by_sku.setdefault(line.sku, []).append(index)
                self._by_category.setdefault(line.category_id, []).append(index)
        return self._by_sku, self._by_category

    def scan_lines(self, plan: Plan) -> list[int]:
        """The eligible lines by testing every line (the plain definition)."""
        eligible = plan.line_is_eligible
        return [i for i, line in enumerate(self.lines) if eligible(line.sku, line.category_id)]

    def eligible_lines(self, plan: Plan) -> list[int]:
        """Same answer as :meth:`scan_lines`, in line order, but only looks at the lines the
        promotion's scope names (when it names items)."""
        if not plan.names_items:
            return list(range(len(self.lines))) if plan.any_line else self.scan_lines(plan)
        by_sku, by_category = self._keyed()
        found: set[int] = set()
        for keys, lines_by_key in ((plan.items, by_sku), (plan.categories, by_category)):
            if len(keys) < len(lines_by_key):
                for key in keys:
                    indexes = lines_by_key.get(key)
                    if indexes:
                        found.update(indexes)
            else:
                for key, indexes in lines_by_key.items():
                    if key in keys:
                        found.update(indexes)
        if not found:
            return []
        eligible = plan.line_is_eligible
        lines = self.lines
        return [i for i in sorted(found) if eligible(lines[i].sku, lines[i].category_id)]


def apply_plan(
    plan: Plan, ledger: Ledger, eligible: Sequence[int], blocked_lines: Collection[int] = ()
) -> set[int]:
    """Apply ``plan`` to its ``eligible`` lines (in line order) except ``blocked_lines``; return
    the lines it touched."""
    remaining = ledger.remaining
    lines = [i for i in eligible if remaining[i][0] > 0 and i not in blocked_lines]
    if not lines:
        return set()
    return _MECHANICS[plan.kind](plan, ledger, lines)
