"""Turning a discount into per-unit amounts: percentages, and spreads by largest remainder.

A percentage is taken of a line's amount (not of each unit) and rounded half up once, so three
units at 0.33 with 50% off give 0.50, not 0.51. A spread amount is split over lines in proportion
to each line's remaining amount, then over the line's units the same way, by largest remainder
(as Money.allocate), so the parts sum exactly and no part exceeds what it is split by.

Everything here is plain integers (minor units); a line's chosen units are its ``count`` most
valuable ones (a prefix of its list in the ledger).
"""

from __future__ import annotations

from promotion.domain.ledger import Ledger
from promotion.domain.plan import Plan

LineCount = tuple[int, int]
"""(line index, how many of its most valuable units)."""


def percent_of(amount_minor: int, ratio: tuple[int, int]) -> int:
    """``numerator/denominator`` of a non-negative amount, rounded half up, exactly."""
    numerator, denominator = ratio
    return min(amount_minor, (2 * amount_minor * numerator + denominator) // (2 * denominator))


def split(amount_minor: int, weights: list[int]) -> list[int]:
    """``amount_minor`` (>= 0) split by ``weights``: the same parts as ``Money.allocate`` (largest
    remainder, ties to the lower index), computed on plain integers because it is the hot path."""
    total_weight = sum(weights)
    if amount_minor == 0 or total_weight == 0:
        return [0] * len(weights)
    if len(weights) == 1:
        return [amount_minor]
    shares = [divmod(amount_minor * weight, total_weight) for weight in weights]
    parts = [quotient for quotient, _ in shares]
    leftover = amount_minor - sum(parts)
    if leftover:
        for index in sorted(range(len(weights)), key=lambda i: (-shares[i][1], i))[:leftover]:
            parts[index] += 1
    return parts


def take_from_leading(ledger: Ledger, plan: Plan, line: int, count: int, amount_minor: int) -> None:
    """Take ``amount_minor`` (capped at what they have left) off the ``count`` most valuable units of
    ``line``, in proportion to what each has left."""
    values = ledger.remaining[line]
    first = values[0]
    plain = ledger.plain
    if count == 1 and not plain:
        amount = min(amount_minor, first)
        if amount > 0:
            ledger.store(plan, line, [first - amount, *values[1:]], amount, 1)
        return
    chosen = values[:count]
    amount = min(amount_minor, sum(chosen))
    if amount <= 0:
        return
    if first == chosen[-1] and not plain:  # equal weights: the first ``r`` units get one more
        quotient, remainder = divmod(amount, count)
        left = [first - quotient] * (count - remainder) + [first - quotient - 1] * remainder
        units = count if quotient else remainder
    else:
        parts = split(amount, chosen)
        left = [value - part for value, part in zip(chosen, parts, strict=True)]
        units = count - parts.count(0)
    left.extend(values[count:])
    ledger.store(plan, line, left, amount, units)


def spread(ledger: Ledger, plan: Plan, chosen: list[LineCount], amount_minor: int) -> None:
    """Take ``amount_minor`` (capped at what ``chosen`` have left) off ``chosen`` (in line order):
    over the lines by what is left on each, then over each line's units."""
    remaining = ledger.remaining
    weights = [sum(remaining[line][:count]) for line, count in chosen]
    parts = split(min(amount_minor, sum(weights)), weights)
    for (line, count), part in zip(chosen, parts, strict=True):
        if part:
            take_from_leading(ledger, plan, line, count, part)


def split_units(
    ledger: Ledger, plan: Plan, line: int, positions: list[int], amount_minor: int, taken: list[int]
) -> None:
    """Add to ``taken`` (per unit position of ``line``) ``amount_minor`` (capped at what they have
    left) split over ``positions`` (in that order, for ties) in proportion to what each has left."""
    values = ledger.remaining[line]
    weights = [values[position] - taken[position] for position in positions]
    parts = split(min(amount_minor, sum(weights)), weights)
    for position, part in zip(positions, parts, strict=True):
        taken[position] += part


def spread_units(
    ledger: Ledger, plan: Plan, units: list[tuple[int, int]], amount_minor: int, taken: dict[int, list[int]]
) -> None:
    """:func:`spread` over arbitrary units ``(line, position)``, accumulating into ``taken`` (per
    line, per position) instead of storing: the caller stores each line once it is done."""
    grouped: dict[int, list[int]] = {}
    for line, position in units:
        grouped.setdefault(line, []).append(position)
    lines = sorted(grouped)
    remaining = ledger.remaining
    weights = []
    for line in lines:
        values, line_taken = remaining[line], taken.get(line)
        weights.append(
            sum(values[p] for p in grouped[line])
            if line_taken is None
            else sum(values[p] - line_taken[p] for p in grouped[line])
        )
    parts = split(min(amount_minor, sum(weights)), weights)
    for line, part in zip(lines, parts, strict=True):
        line_taken = taken.get(line)
        if line_taken is None:
            line_taken = taken[line] = [0] * len(remaining[line])
        split_units(ledger, plan, line, grouped[line], part, line_taken)


def store_taken(ledger: Ledger, plan: Plan, taken: dict[int, list[int]]) -> None:
    """Store per-position amounts accumulated by :func:`spread_units` / :func:`split_units`."""
    for line in sorted(taken):
        parts = taken[line]
        amount = sum(parts)
        if amount > 0:
            values = ledger.remaining[line]
            left = [value - part for value, part in zip(values, parts, strict=True)]
            ledger.store(plan, line, left, amount, len(parts) - parts.count(0))
