"""The discount a buy-X-get-Y version gives a set of units (to re-price what a customer keeps).

Same rules as the promotion engine: sets need buy_qty + get_qty distinct units; units in both sets
may serve either role; got units are the cheapest eligible units (or the most expensive); without
`repeatable` the offer applies once. Percentages are taken per unit, rounded half up.
"""

from __future__ import annotations

from dataclasses import dataclass

from order_ledger.domain.promotion_terms import BuyGetTerms, PromotionTerms


@dataclass(frozen=True, slots=True)
class Unit:
    unit_price_minor: int
    sku: str
    category_id: str | None


def _feasible(sets: int, terms: BuyGetTerms, buy_only: int, get_only: int, both: int) -> bool:
    flex_for_buy = max(0, sets * terms.buy_qty - buy_only)
    flex_for_get = max(0, sets * terms.get_qty - get_only)
    return flex_for_buy + flex_for_get <= both


def buy_get_discount(promotion: PromotionTerms, units: list[Unit]) -> int:
    """Minor units of discount the version's buy-X-get-Y mechanic gives `units` (only units in the
    promotion's scope take part: an empty buy or get set means any item in scope, not any item)."""
    terms = promotion.buy_get
    if terms is None:
        return 0
    buyable = [promotion.can_buy(u.sku, u.category_id) for u in units]
    gettable = [promotion.can_get(u.sku, u.category_id) for u in units]
    both = sum(1 for b, g in zip(buyable, gettable, strict=True) if b and g)
    buy_only = sum(1 for b, g in zip(buyable, gettable, strict=True) if b and not g)
    get_only = sum(1 for b, g in zip(buyable, gettable, strict=True) if g and not b)
    sets = (buy_only + get_only + both) // (terms.buy_qty + terms.get_qty)
    if not terms.repeatable:
        sets = min(sets, 1)
    while sets > 0 and not _feasible(sets, terms, buy_only, get_only, both):
        sets -= 1
    if sets == 0:
        return 0
    flex_cap = both - max(0, sets * terms.buy_qty - buy_only)
    order = sorted(
        (index for index, can_get in enumerate(gettable) if can_get),
        key=lambda index: units[index].unit_price_minor,
        reverse=terms.get_units != "cheapest",
    )
    got: list[int] = []
    flex_used = 0
    for index in order:
        if len(got) == sets * terms.get_qty:
            break
        if buyable[index]:
            if flex_used == flex_cap:
                continue
            flex_used += 1
        got.append(index)
    return sum(terms.percent_of(units[index].unit_price_minor) for index in got)
