"""Which units a promotion may touch: the most valuable first, within its unit limits."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from promotion.domain.ledger import Ledger, UnitRef
from promotion.domain.terms import Limits


def most_valuable_first(ledger: Ledger, units: Iterable[UnitRef]) -> list[UnitRef]:
    return sorted(units, key=lambda unit: (-ledger.value(unit), unit))


def cheapest_first(ledger: Ledger, units: Iterable[UnitRef]) -> list[UnitRef]:
    return sorted(units, key=lambda unit: (ledger.value(unit), unit))


def within_limits(units: Iterable[UnitRef], limits: Limits) -> list[UnitRef]:
    """The leading ``units`` that fit the per-line and per-transaction limits (order kept)."""
    if limits.max_units_per_line is None and limits.max_units_per_transaction is None:
        return list(units)
    per_line: Counter[int] = Counter()
    kept: list[UnitRef] = []
    for unit in units:
        if limits.max_units_per_transaction is not None and len(kept) >= limits.max_units_per_transaction:
            break
        if limits.max_units_per_line is not None and per_line[unit[0]] >= limits.max_units_per_line:
            continue
        per_line[unit[0]] += 1
        kept.append(unit)
    return kept


def line_has_room(per_line: Counter[int], line: int, limits: Limits) -> bool:
    return limits.max_units_per_line is None or per_line[line] < limits.max_units_per_line
