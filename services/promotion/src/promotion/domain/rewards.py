"""Applying the per-item and order-level mechanics to a ledger.

Each function takes the promotion's eligible lines (in line order, blocked ones removed), applies
the mechanic to their units still worth something, within the promotion's limits (the most
valuable units first), and returns the lines it touched.
"""

from __future__ import annotations

from promotion.domain.allocation import percent_of, spread, take_from_leading
from promotion.domain.ledger import Ledger
from promotion.domain.plan import AMOUNT_LINE, AMOUNT_UNIT, Plan
from promotion.domain.selection import leading_units


def apply_percent_off(plan: Plan, ledger: Ledger, lines: list[int]) -> set[int]:
    """The percentage of each line's chosen amount, rounded once, spread over its units."""
    remaining = ledger.remaining
    ratio = plan.ratio
    if not ledger.plain and plan.per_line is None and plan.per_transaction is None:
        # Every unit left on every line (units at zero add nothing to a line's amount).
        numerator, denominator = ratio
        twice = 2 * denominator
        if ledger.dry:
            taken = 0
            for line in lines:
                base = sum(remaining[line])
                taken += min(base, (2 * base * numerator + denominator) // twice)
            ledger.taken += taken
            return set(lines)
        store = ledger.store
        for line in lines:
            values = remaining[line]
            if len(values) == 1:
                value = values[0]
                amount = min(value, (2 * value * numerator + denominator) // twice)
                if amount:
                    store(plan, line, [value - amount], amount, 1)
            else:
                amount = percent_of(sum(values), ratio)
                if amount:
                    count = len(values) if values[-1] else len(values) - values.count(0)
                    take_from_leading(ledger, plan, line, count, amount)
        return set(lines)
    chosen = leading_units(ledger, plan, lines)
    for line, count in chosen:
        amount = percent_of(sum(remaining[line][:count]), ratio)
        if amount:
            take_from_leading(ledger, plan, line, count, amount)
    return {line for line, _ in chosen}


def apply_amount_off(plan: Plan, ledger: Ledger, lines: list[int]) -> set[int]:
    """Per unit and per line never take more than is left; per order is spread over the lines."""
    chosen = leading_units(ledger, plan, lines)
    amount = plan.amount
    if plan.kind == AMOUNT_UNIT:
        remaining = ledger.remaining
        store = ledger.store
        for line, count in chosen:
            values = remaining[line]
            if count == 1 and not ledger.plain:
                value = values[0]
                cut = amount if amount < value else value
                store(plan, line, [value - cut, *values[1:]], cut, 1)
                continue
            cuts = [amount if amount < value else value for value in values[:count]]
            left = [value - cut for value, cut in zip(values, cuts, strict=False)]
            left.extend(values[count:])
            store(plan, line, left, sum(cuts), count)
    elif plan.kind == AMOUNT_LINE:
        for line, count in chosen:
            take_from_leading(ledger, plan, line, count, amount)
    else:
        spread(ledger, plan, chosen, amount)
    return {line for line, _ in chosen}


def apply_fixed_price(plan: Plan, ledger: Ledger, lines: list[int]) -> set[int]:
    """A unit already at or below the fixed price gets nothing (no surcharge, no negative discount)."""
    price = plan.price
    remaining = ledger.remaining
    store = ledger.store
    if not ledger.plain and plan.per_line is None and plan.per_transaction is None:
        touched = set()
        for line in lines:
            values = remaining[line]
            first = values[0]
            if first <= price:
                continue
            touched.add(line)
            if len(values) == 1:
                store(plan, line, [price], first - price, 1)
                continue
            count = 0
            for value in values:
                if value <= price:
                    break
                count += 1
            left = [price] * count
            left.extend(values[count:])
            store(plan, line, left, sum(values[:count]) - price * count, count)
        return touched
    chosen = leading_units(ledger, plan, lines, above=price)
    for line, count in chosen:
        values = remaining[line]
        left = [price] * count
        left.extend(values[count:])
        store(plan, line, left, sum(values[:count]) - price * count, count)
    return {line for line, _ in chosen}


def apply_spend_threshold(plan: Plan, ledger: Ledger, lines: list[int]) -> set[int]:
    """Spend is what is left on the eligible units (after earlier promotions); the top tier reached wins."""
    remaining = ledger.remaining
    if not ledger.plain and plan.per_line is None and plan.per_transaction is None:
        spend = sum(sum(remaining[line]) for line in lines)  # every unit left (zeros add nothing)
        chosen = None
    else:
        chosen = leading_units(ledger, plan, lines)
        spend = sum(sum(remaining[line][:count]) for line, count in chosen)
    reached = None
    for tier in plan.tiers:
        if tier[0] > spend:
            break
        reached = tier
    if reached is None:
        return set()
    _, ratio, amount = reached
    reward = amount if ratio is None else percent_of(spend, ratio)
    if chosen is None:
        if ledger.dry:  # the parts of a spread add up to the reward (capped at the spend)
            ledger.taken += min(reward, spend)
            return set(lines)
        chosen = leading_units(ledger, plan, lines)
    spread(ledger, plan, chosen, reward)
    return {line for line, _ in chosen}
