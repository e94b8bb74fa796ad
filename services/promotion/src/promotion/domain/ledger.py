"""The engine's working state: what is left to pay on each unit, and who took what off.

Lines are held in canonical order. A line's units are kept as the list of what is left on each,
most valuable first: units of one line with the same amount left are interchangeable (every rule
orders units by amount, then line, then unit, and results are per line), so the list is the
line's whole state. A later stackable promotion works on what the earlier ones left, and no unit
can go below zero. Lists are never changed in place (a change stores a new list), so ledgers
forked from one another share the lines they did not change.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from promotion.domain.cart import CartLine
from promotion.domain.plan import Plan

PromotionKey = tuple[str, int]


Tally = tuple[int, int, Plan]
"""One promotion's total on one line: (amount in minor units, units discounted, its plan)."""


class Ledger:
    """What is left on every unit of a cart and which promotion took what off which line."""

    __slots__ = ("changed_lines", "dry", "lines", "plain", "remaining", "taken", "tallies")

    def __init__(
        self, lines: Sequence[CartLine], remaining: list[list[int]], *, dry: bool = False, plain: bool = False
    ) -> None:
        self.lines = lines
        self.plain = plain
        """Mechanics take their general path, without shortcuts (the engine's reference run)."""
        self.dry = dry
        """A dry run only adds up what is taken (a trial whose outcome may never be needed): a
        mechanic never reads a line again after storing it, so the sum is the same."""
        self.remaining = remaining
        """Per line, what is left on each unit, most valuable first (never changed in place)."""
        self.tallies: dict[int, dict[PromotionKey, Tally]] = {}
        self.changed_lines: set[int] = set()
        """Lines some promotion took something off (or adopted from another ledger)."""
        self.taken = 0
        """Everything taken off on this ledger (adoptions aside): a standalone trial's saving."""

    @classmethod
    def start(cls, lines: Sequence[CartLine], *, plain: bool = False) -> Ledger:
        return cls(lines, [[line.unit_price.amount_minor] * line.qty for line in lines], plain=plain)

    def fork(self, *, dry: bool = False) -> Ledger:
        """A fresh ledger over the same lines and what is left on them, without tallies."""
        return Ledger(self.lines, self.remaining if dry else list(self.remaining), dry=dry, plain=self.plain)

    def tallies_of(self, line: int) -> dict[PromotionKey, Tally]:
        return self.tallies.get(line, {})

    def store(self, plan: Plan, line: int, left: list[int], amount: int, units: int) -> None:
        """``plan`` took ``amount`` (> 0) off ``units`` units of ``line``, leaving ``left`` (a new
        list, sorted here)."""
        if self.dry:
            self.taken += amount
            return
        if len(left) > 1:
            left.sort(reverse=True)
        self.remaining[line] = left
        self.changed_lines.add(line)
        self.taken += amount
        tallies = self.tallies.get(line)
        if tallies is None:
            self.tallies[line] = {plan.key: (amount, units, plan)}
            return
        tally = tallies.get(plan.key)
        tallies[plan.key] = (
            (amount, units, plan) if tally is None else (tally[0] + amount, tally[1] + units, plan)
        )

    def discount_on(self, line_indexes: Iterable[int]) -> int:
        total = 0
        for line in line_indexes:
            tallies = self.tallies.get(line)
            if tallies:
                for tally in tallies.values():
                    total += tally[0]
        return total

    def adopt(self, other: Ledger, line_indexes: Iterable[int]) -> None:
        """Take over ``other``'s state for ``line_indexes`` (a promotion's own lines)."""
        for line in line_indexes:
            self.remaining[line] = other.remaining[line]
            self.tallies[line] = dict(other.tallies_of(line))
            self.changed_lines.add(line)
