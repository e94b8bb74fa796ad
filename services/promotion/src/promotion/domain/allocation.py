"""Turning a discount into per-unit amounts: percentages, and spreads by largest remainder.

A percentage is taken of a line's amount (not of each unit) and rounded half up once, so three
units at 0.33 with 50% off give 0.50, not 0.51. A spread amount is split over lines in proportion
to each line's remaining amount, then over the line's units the same way, by largest remainder
(as Money.allocate), so the parts sum exactly and no part exceeds what it is split by.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from promotion.domain.ledger import Ledger, UnitRef
from promotion.domain.version import PromotionVersion

_RATIOS: dict[Decimal, tuple[int, int]] = {}


def _ratio(percent: Decimal) -> tuple[int, int]:
    """``percent / 100`` as an exact integer fraction (cached: promotions reuse a few percentages)."""
    ratio = _RATIOS.get(percent)
    if ratio is None:
        numerator, denominator = (percent / Decimal(100)).as_integer_ratio()
        ratio = _RATIOS.setdefault(percent, (numerator, denominator))
    return ratio


def percent_of(amount_minor: int, percent: Decimal) -> int:
    """``percent`` of a non-negative amount, rounded half up, exactly (integer arithmetic)."""
    numerator, denominator = _ratio(percent)
    return min(amount_minor, (2 * amount_minor * numerator + denominator) // (2 * denominator))


def by_line(units: Iterable[UnitRef]) -> dict[int, list[int]]:
    grouped: dict[int, list[int]] = defaultdict(list)
    for line, unit in units:
        grouped[line].append(unit)
    return dict(sorted(grouped.items()))


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


def spread_over_units(
    ledger: Ledger, promotion: PromotionVersion, line: int, units: list[int], amount_minor: int
) -> None:
    """Take ``amount_minor`` off ``units`` of ``line`` in proportion to what each has left."""
    weights = [ledger.remaining[line][unit] for unit in units]
    parts = split(min(amount_minor, sum(weights)), weights)
    ledger.take(promotion, line, dict(zip(units, parts, strict=True)))


def spread(ledger: Ledger, promotion: PromotionVersion, units: Iterable[UnitRef], amount_minor: int) -> None:
    """Take ``amount_minor`` (at most what ``units`` have left) off ``units``, line by line."""
    grouped = by_line(units)
    if not grouped:
        return
    lines = list(grouped)
    weights = [sum(ledger.remaining[line][unit] for unit in grouped[line]) for line in lines]
    parts = split(min(amount_minor, sum(weights)), weights)
    for line, part in zip(lines, parts, strict=True):
        spread_over_units(ledger, promotion, line, grouped[line], part)


def percent_off_each_line(
    ledger: Ledger, promotion: PromotionVersion, units: Iterable[UnitRef], percent: Decimal
) -> None:
    for line, line_units in by_line(units).items():
        base = sum(ledger.remaining[line][unit] for unit in line_units)
        spread_over_units(ledger, promotion, line, line_units, percent_of(base, percent))
