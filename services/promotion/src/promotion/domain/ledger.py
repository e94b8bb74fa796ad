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
    """Copy-on-write: a ledger forked from ``base`` shares the base's untouched lines, so trying a
    promotion on its own costs what it touches, not the whole cart."""

    def __init__(self, lines: Sequence[CartLine], base: Ledger | None = None) -> None:
        self.lines: Sequence[CartLine] = list(lines) if base is None else base.lines
        if base is None:
            self.remaining: list[list[int]] = [[line.unit_price.amount_minor] * line.qty for line in lines]
        else:
            self.remaining = list(base.remaining)
        self.tallies: dict[int, dict[PromotionKey, LineAdjustmentTally]] = {}
        self.changed_lines: set[int] = set()
        """Lines some promotion took something off (or adopted from another ledger); only these
        own their ``remaining`` list, the others share the base's (never written through)."""

    @classmethod
    def fork(cls, base: Ledger) -> Ledger:
        """A fresh ledger over the same lines, sharing ``base``'s (unchanged) remaining amounts."""
        return cls(base.lines, base)

    def tallies_of(self, line: int) -> dict[PromotionKey, LineAdjustmentTally]:
        return self.tallies.get(line, {})

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
        remaining = self.remaining[line]
        total = units = 0
        for unit, amount in discounts.items():
            if amount <= 0:
                continue
            if amount > remaining[unit]:
                raise AssertionError(f"discount {amount} exceeds what is left on unit {line}/{unit}")
            if line not in self.changed_lines:  # copy on first write: the list may be the base's
                remaining = self.remaining[line] = list(remaining)
                self.changed_lines.add(line)
            remaining[unit] -= amount
            total += amount
            units += 1
        if units:
            key = (promotion.promotion_id, promotion.version)
            tally = self.tallies.setdefault(line, {}).setdefault(key, LineAdjustmentTally(promotion))
            tally.amount_minor += total
            tally.units += units

    def discount_of(self, promotion: PromotionVersion) -> int:
        key = (promotion.promotion_id, promotion.version)
        return sum(tallies[key].amount_minor for tallies in self.tallies.values() if key in tallies)

    def discount_on(self, line_indexes: Iterable[int]) -> int:
        return sum(tally.amount_minor for line in line_indexes for tally in self.tallies_of(line).values())

    def adopt(self, other: Ledger, line_indexes: Iterable[int]) -> None:
        """Take over ``other``'s state for ``line_indexes`` (an exclusive promotion's own lines)."""
        for line in line_indexes:
            self.remaining[line] = list(other.remaining[line])
            self.tallies[line] = dict(other.tallies_of(line))
            self.changed_lines.add(line)
