"""Buy X get Y: which units are bought, which are got, and the discount on the got units.

Rules: the got units are the cheapest eligible units by default ("of equal or lesser value"), or
the most expensive when the mechanic says so; a unit is never both bought and got; without
``repeatable`` the offer applies once. Limits count the got (discounted) units.
"""

from __future__ import annotations

from promotion.domain.allocation import percent_of, split, split_units, store_taken
from promotion.domain.ledger import Ledger
from promotion.domain.plan import Plan, contains
from promotion.domain.selection import has_room

Unit = tuple[int, int]
"""(line, position in the line's list)."""


def _feasible(sets: int, plan: Plan, buy_only: int, get_only: int, both: int) -> bool:
    """Can ``sets`` offers be formed, given units only buyable, only gettable, or either?"""
    flex_for_buy = max(0, sets * plan.buy_qty - buy_only)
    flex_for_get = max(0, sets * plan.get_qty - get_only)
    return flex_for_buy + flex_for_get <= both


def _max_sets(plan: Plan, buy_only: int, get_only: int, both: int) -> int:
    sets = (buy_only + get_only + both) // (plan.buy_qty + plan.get_qty)
    if not plan.repeatable:
        sets = min(sets, 1)
    if plan.per_transaction is not None:
        sets = min(sets, plan.per_transaction // plan.get_qty)
    while sets > 0 and not _feasible(sets, plan, buy_only, get_only, both):
        sets -= 1
    return sets


def apply_buy_x_get_y(plan: Plan, ledger: Ledger, lines: list[int]) -> set[int]:
    remaining = ledger.remaining
    cart_lines = ledger.lines
    buy_only = get_only = both = 0
    kinds: list[tuple[int, int, bool, bool]] = []  # (line, units worth something, buyable, gettable)
    for line in lines:
        values = remaining[line]
        count = len(values) if values[-1] > 0 else sum(1 for value in values if value > 0)
        if not count:
            continue
        item = cart_lines[line]
        buyable = contains(plan.buy_set, item.sku, item.category_id)
        gettable = contains(plan.get_set, item.sku, item.category_id)
        if buyable and gettable:
            both += count
        elif buyable:
            buy_only += count
        elif gettable:
            get_only += count
        else:
            continue
        kinds.append((line, count, buyable, gettable))
    sets = _max_sets(plan, buy_only, get_only, both)
    if sets == 0:
        return set()
    if len(kinds) == 1 and both and not ledger.plain:
        return _one_flexible_line(plan, ledger, kinds[0][0], both, sets)
    # Either-way units taken as got units must leave enough to buy with.
    flex_cap = both - max(0, sets * plan.buy_qty - buy_only)
    cheapest = plan.cheapest
    gettable_units = sorted(
        ((remaining[line][p] if cheapest else -remaining[line][p]), line, p)
        for line, count, _, is_gettable in kinds
        if is_gettable
        for p in range(count)
    )
    wanted = sets * plan.get_qty
    got: list[Unit] = []
    per_line: dict[int, int] = {}
    flex_used = 0
    flexible = {line for line, _, buyable, gettable in kinds if buyable and gettable}
    for _, line, position in gettable_units:
        if len(got) == wanted:
            break
        if not has_room(per_line, line, plan.per_line):
            continue
        if line in flexible:
            if flex_used == flex_cap:
                continue
            flex_used += 1
        got.append((line, position))
        per_line[line] = per_line.get(line, 0) + 1
    sets = min(sets, len(got) // plan.get_qty)
    if sets == 0:
        return set()
    got = got[: sets * plan.get_qty]
    got_set = set(got)
    # The bought units: not gettable ones first, the most valuable first (cheapest first when the
    # most expensive are got); only their lines matter (they count as touched).
    sign = -1 if cheapest else 1
    bought = sorted(
        (line in flexible, sign * remaining[line][p], line, p)
        for line, count, is_buyable, _ in kinds
        if is_buyable
        for p in range(count)
        if (line, p) not in got_set
    )[: sets * plan.buy_qty]
    by_line: dict[int, list[int]] = {}
    for line, position in got:
        by_line.setdefault(line, []).append(position)
    taken: dict[int, list[int]] = {}
    for line in sorted(by_line):
        positions = by_line[line]
        values = remaining[line]
        base = sum(values[p] for p in positions)
        line_taken = taken[line] = [0] * len(values)
        split_units(ledger, plan, line, positions, percent_of(base, plan.ratio), line_taken)
    store_taken(ledger, plan, taken)
    return {line for line, _ in got} | {line for _, _, line, _ in bought}


def _one_flexible_line(plan: Plan, ledger: Ledger, line: int, count: int, sets: int) -> set[int]:
    """The common case, worked out directly: all the units are on one line, each either bought or
    got. The flexible units then always suffice (``count >= sets * (buy + get)``), so the got
    units are the ``sets * get`` cheapest (or most expensive) within the per-line limit, and the
    bought ones are on the same line."""
    wanted = sets * plan.get_qty
    if plan.per_line is not None and plan.per_line < wanted:
        sets = plan.per_line // plan.get_qty
        if sets == 0:
            return set()
        wanted = sets * plan.get_qty
    values = ledger.remaining[line]
    if plan.cheapest:  # got in cheapest-first order: the last ``wanted`` units, ascending
        kept = values[: count - wanted]
        got = values[count - wanted : count][::-1]
    else:
        kept = values[wanted:count]
        got = values[:wanted]
    base = sum(got)
    amount = min(percent_of(base, plan.ratio), base)
    if amount:
        parts = split(amount, got)
        left = [value - part for value, part in zip(got, parts, strict=True)]
        left.extend(kept)
        left.extend(values[count:])
        ledger.store(plan, line, left, amount, wanted - parts.count(0))
    return {line}
