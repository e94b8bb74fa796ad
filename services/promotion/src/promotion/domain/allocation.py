"""Turning a discount into per-unit amounts: percentages, and spreads by largest remainder.

A percentage is taken of a line's amount (not of each unit) and rounded half up once, so three
units at 0.33 with 50% off give 0.50, not 0.51. A spread amount is split over lines in proportion
to each line's remaining amount, then over the line's units the same way, with Money.allocate
(largest remainder), so the parts sum exactly and no part exceeds what it is split by.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from canon.money import Money

from promotion.domain.ledger import Ledger, UnitRef
from promotion.domain.version import PromotionVersion


def percent_of(amount_minor: int, percent: Decimal) -> int:
    exact = Decimal(amount_minor) * percent / Decimal(100)
    return min(amount_minor, int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP)))


def by_line(units: Iterable[UnitRef]) -> dict[int, list[int]]:
    grouped: dict[int, list[int]] = defaultdict(list)
    for line, unit in units:
        grouped[line].append(unit)
    return dict(sorted(grouped.items()))


def split(amount_minor: int, weights: list[int], currency: str) -> list[int]:
    if amount_minor == 0 or not any(weights):
        return [0] * len(weights)
    return [part.amount_minor for part in Money(amount_minor, currency).allocate(weights)]


def spread_over_units(
    ledger: Ledger, promotion: PromotionVersion, line: int, units: list[int], amount_minor: int
) -> None:
    """Take ``amount_minor`` off ``units`` of ``line`` in proportion to what each has left."""
    currency = ledger.lines[line].unit_price.currency
    weights = [ledger.remaining[line][unit] for unit in units]
    parts = split(min(amount_minor, sum(weights)), weights, currency)
    ledger.take(promotion, line, dict(zip(units, parts, strict=True)))


def spread(ledger: Ledger, promotion: PromotionVersion, units: Iterable[UnitRef], amount_minor: int) -> None:
    """Take ``amount_minor`` (at most what ``units`` have left) off ``units``, line by line."""
    grouped = by_line(units)
    if not grouped:
        return
    lines = list(grouped)
    weights = [sum(ledger.remaining[line][unit] for unit in grouped[line]) for line in lines]
    currency = ledger.lines[lines[0]].unit_price.currency
    parts = split(min(amount_minor, sum(weights)), weights, currency)
    for line, part in zip(lines, parts, strict=True):
        spread_over_units(ledger, promotion, line, grouped[line], part)


def percent_off_each_line(
    ledger: Ledger, promotion: PromotionVersion, units: Iterable[UnitRef], percent: Decimal
) -> None:
    for line, line_units in by_line(units).items():
        base = sum(ledger.remaining[line][unit] for unit in line_units)
        spread_over_units(ledger, promotion, line, line_units, percent_of(base, percent))
