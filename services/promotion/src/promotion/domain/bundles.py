"""Bundle price: one set of units per component sells together at the bundle price.

Bundles are formed from the most valuable eligible units first and repeat while every component
can be filled and the bundle still saves money; a unit belongs to at most one bundle component.
The saving is spread over the bundle's lines in proportion to their remaining amounts.
"""

from __future__ import annotations

from collections import Counter

from promotion.domain.allocation import spread
from promotion.domain.ledger import Ledger, UnitRef
from promotion.domain.mechanics import BundlePrice
from promotion.domain.selection import line_has_room, most_valuable_first
from promotion.domain.version import PromotionVersion


def _fill(
    pools: list[list[UnitRef]],
    mechanic: BundlePrice,
    used: set[UnitRef],
    per_line: Counter[int],
    promotion: PromotionVersion,
) -> list[UnitRef] | None:
    """Units for one more bundle, or None when a component cannot be filled."""
    picked: list[UnitRef] = []
    taken = set(used)
    counts = Counter(per_line)
    for pool, component in zip(pools, mechanic.components, strict=True):
        needed = component.qty
        for unit in pool:
            if needed == 0:
                break
            if unit in taken or not line_has_room(counts, unit[0], promotion.limits):
                continue
            picked.append(unit)
            taken.add(unit)
            counts[unit[0]] += 1
            needed -= 1
        if needed:
            return None
    return picked


def apply_bundle_price(
    promotion: PromotionVersion, mechanic: BundlePrice, ledger: Ledger, units: list[UnitRef]
) -> set[int]:
    ordered = most_valuable_first(ledger, units)
    pools = [
        [
            unit
            for unit in ordered
            if component.items.contains(ledger.lines[unit[0]].sku, ledger.lines[unit[0]].category_id)
        ]
        for component in mechanic.components
    ]
    limit = promotion.limits.max_units_per_transaction
    used: set[UnitRef] = set()
    per_line: Counter[int] = Counter()
    touched: set[int] = set()
    while limit is None or len(used) + mechanic.units_per_bundle <= limit:
        picked = _fill(pools, mechanic, used, per_line, promotion)
        if picked is None:
            break
        saving = sum(ledger.value(unit) for unit in picked) - mechanic.price.amount_minor
        if saving <= 0:
            break
        spread(ledger, promotion, picked, saving)
        used.update(picked)
        per_line.update(line for line, _ in picked)
        touched.update(line for line, _ in picked)
    return touched
