"""Bundle price: one set of units per component sells together at the bundle price.

Bundles are formed from the most valuable eligible units first and repeat while every component
can be filled and the bundle still saves money; a unit belongs to at most one bundle component.
The saving is spread over the bundle's lines in proportion to their remaining amounts.
"""

from __future__ import annotations

from promotion.domain.allocation import spread_units, store_taken
from promotion.domain.ledger import Ledger
from promotion.domain.plan import Plan, contains
from promotion.domain.selection import has_room

Unit = tuple[int, int]
"""(line, position in the line's list)."""


def _fill(
    pools: list[list[Unit]], plan: Plan, used: set[Unit], per_line: dict[int, int]
) -> list[Unit] | None:
    """Units for one more bundle, or None when a component cannot be filled."""
    picked: list[Unit] = []
    taken = set(used)
    counts = dict(per_line)
    limit = plan.per_line
    for pool, (_, qty) in zip(pools, plan.components, strict=True):
        needed = qty
        for unit in pool:
            if needed == 0:
                break
            if unit in taken or not has_room(counts, unit[0], limit):
                continue
            picked.append(unit)
            taken.add(unit)
            counts[unit[0]] = counts.get(unit[0], 0) + 1
            needed -= 1
        if needed:
            return None
    return picked


def apply_bundle_price(plan: Plan, ledger: Ledger, lines: list[int]) -> set[int]:
    remaining = ledger.remaining
    cart_lines = ledger.lines
    pools: list[list[Unit]] = []
    ordered: list[tuple[int, int, int]] | None = None
    for items, qty in plan.components:
        matching = [
            line
            for line in lines
            if remaining[line][0] > 0 and contains(items, cart_lines[line].sku, cart_lines[line].category_id)
        ]
        if sum(sum(1 for value in remaining[line] if value > 0) for line in matching) < qty:
            return set()  # this component can never be filled
        if ordered is None:
            ordered = sorted(
                (-value, line, position)
                for line in lines
                for position, value in enumerate(remaining[line])
                if value > 0
            )
        keep = set(matching)
        pools.append([(line, position) for _, line, position in ordered if line in keep])
    limit = plan.per_transaction
    used: set[Unit] = set()
    per_line: dict[int, int] = {}
    touched: set[int] = set()
    taken: dict[int, list[int]] = {}
    while limit is None or len(used) + plan.units_per_bundle <= limit:
        picked = _fill(pools, plan, used, per_line)
        if picked is None:
            break
        saving = sum(remaining[line][position] for line, position in picked) - plan.price
        if saving <= 0:
            break
        spread_units(ledger, plan, picked, saving, taken)
        used.update(picked)
        for line, _ in picked:
            per_line[line] = per_line.get(line, 0) + 1
            touched.add(line)
    store_taken(ledger, plan, taken)
    return touched
