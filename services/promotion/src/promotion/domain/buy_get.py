"""Buy X get Y: which units are bought, which are got, and the discount on the got units.

Rules: the got units are the cheapest eligible units by default ("of equal or lesser value"), or
the most expensive when the mechanic says so; a unit is never both bought and got; without
``repeatable`` the offer applies once. Limits count the got (discounted) units.
"""

from __future__ import annotations

from collections import Counter

from promotion.domain.allocation import percent_off_each_line
from promotion.domain.ledger import Ledger, UnitRef
from promotion.domain.mechanics import BuyXGetY
from promotion.domain.selection import cheapest_first, line_has_room, most_valuable_first
from promotion.domain.version import PromotionVersion


def _feasible(sets: int, mechanic: BuyXGetY, buy_only: int, get_only: int, both: int) -> bool:
    """Can ``sets`` offers be formed, given units only buyable, only gettable, or either?"""
    flex_for_buy = max(0, sets * mechanic.buy_qty - buy_only)
    flex_for_get = max(0, sets * mechanic.get_qty - get_only)
    return flex_for_buy + flex_for_get <= both


def _max_sets(
    promotion: PromotionVersion, mechanic: BuyXGetY, buy_only: int, get_only: int, both: int
) -> int:
    sets = (buy_only + get_only + both) // (mechanic.buy_qty + mechanic.get_qty)
    if not mechanic.repeatable:
        sets = min(sets, 1)
    if promotion.limits.max_units_per_transaction is not None:
        sets = min(sets, promotion.limits.max_units_per_transaction // mechanic.get_qty)
    while sets > 0 and not _feasible(sets, mechanic, buy_only, get_only, both):
        sets -= 1
    return sets


def apply_buy_x_get_y(
    promotion: PromotionVersion, mechanic: BuyXGetY, ledger: Ledger, units: list[UnitRef]
) -> set[int]:
    def in_set(unit: UnitRef, get: bool) -> bool:
        line = ledger.lines[unit[0]]
        item_set = mechanic.effective_get_set if get else mechanic.buy_set
        return item_set.contains(line.sku, line.category_id)

    buyable = {unit for unit in units if in_set(unit, get=False)}
    gettable = {unit for unit in units if in_set(unit, get=True)}
    both = buyable & gettable
    sets = _max_sets(promotion, mechanic, len(buyable - both), len(gettable - both), len(both))
    if sets == 0:
        return set()
    # Either-way units taken as got units must leave enough to buy with.
    flex_cap = len(both) - max(0, sets * mechanic.buy_qty - len(buyable - both))
    prefer = cheapest_first if mechanic.get_units == "cheapest" else most_valuable_first
    got: list[UnitRef] = []
    per_line: Counter[int] = Counter()
    flex_used = 0
    for unit in prefer(ledger, gettable):
        if len(got) == sets * mechanic.get_qty:
            break
        if not line_has_room(per_line, unit[0], promotion.limits):
            continue
        if unit in both:
            if flex_used == flex_cap:
                continue
            flex_used += 1
        got.append(unit)
        per_line[unit[0]] += 1
    sets = min(sets, len(got) // mechanic.get_qty)
    if sets == 0:
        return set()
    got = got[: sets * mechanic.get_qty]
    buy_order = most_valuable_first if mechanic.get_units == "cheapest" else cheapest_first
    candidates = buy_order(ledger, buyable - set(got))
    bought = sorted(candidates, key=lambda unit: unit in gettable)[: sets * mechanic.buy_qty]
    percent_off_each_line(ledger, promotion, got, mechanic.get_percent_off)
    return {line for line, _ in got} | {line for line, _ in bought}
