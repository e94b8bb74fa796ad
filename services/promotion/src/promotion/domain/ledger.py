"""The engine's working state: what is left to pay on each unit, and who took what off.

Lines are held in canonical order; each unit's remaining amount (minor units) goes down as
promotions apply, so a later stackable promotion works on what the earlier ones left and no unit
can go below zero.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from promotion.domain.cart import CartLine
from promotion.domain.version import PromotionVersion

UnitRef = tuple[int, int]
"""(line index in canonical order, unit index within the line)."""

PromotionKey = tuple[str, int]


class LineAdjustmentTally:
    """One promotion's running total on one line."""

    __slots__ = ("amount_minor", "promotion", "units")

    def __init__(self, promotion: PromotionVersion) -> None:
        self.promotion = promotion
        self.amount_minor = 0
        self.units = 0


class Ledger:
    def __init__(self, lines: Sequence[CartLine]) -> None:
        self.lines = list(lines)
        self.remaining: list[list[int]] = [[line.unit_price.amount_minor] * line.qty for line in lines]
        self.tallies: list[dict[PromotionKey, LineAdjustmentTally]] = [{} for _ in lines]

    def value(self, unit: UnitRef) -> int:
        return self.remaining[unit[0]][unit[1]]

    def units_with_value(self, line_indexes: Iterable[int]) -> list[UnitRef]:
        """Units on ``line_indexes`` that still have something to discount, in canonical order."""
        return [
            (line, unit)
            for line in sorted(line_indexes)
            for unit, amount in enumerate(self.remaining[line])
            if amount > 0
        ]

    def take(self, promotion: PromotionVersion, line: int, discounts: Mapping[int, int]) -> None:
        """Take ``discounts`` (unit index -> minor units) off ``line`` for ``promotion``."""
        granted = {unit: amount for unit, amount in discounts.items() if amount > 0}
        if not granted:
            return
        for unit, amount in granted.items():
            if amount > self.remaining[line][unit]:
                raise AssertionError(f"discount {amount} exceeds what is left on unit {line}/{unit}")
            self.remaining[line][unit] -= amount
        key = (promotion.promotion_id, promotion.version)
        tally = self.tallies[line].setdefault(key, LineAdjustmentTally(promotion))
        tally.amount_minor += sum(granted.values())
        tally.units += len(granted)

    def discount_of(self, promotion: PromotionVersion) -> int:
        key = (promotion.promotion_id, promotion.version)
        return sum(tallies[key].amount_minor for tallies in self.tallies if key in tallies)

    def discount_on(self, line_indexes: Iterable[int]) -> int:
        return sum(tally.amount_minor for line in line_indexes for tally in self.tallies[line].values())

    def adopt(self, other: Ledger, line_indexes: Iterable[int]) -> None:
        """Take over ``other``'s state for ``line_indexes`` (an exclusive promotion's own lines)."""
        for line in line_indexes:
            self.remaining[line] = list(other.remaining[line])
            self.tallies[line] = dict(other.tallies[line])
