"""Which units a promotion may touch: the most valuable first, within its unit limits."""

from __future__ import annotations

from promotion.domain.allocation import LineCount
from promotion.domain.ledger import Ledger
from promotion.domain.plan import Plan


def leading_units(ledger: Ledger, plan: Plan, lines: list[int], above: int = 0) -> list[LineCount]:
    """Per line (in line order) how many of its most valuable units worth more than ``above`` the
    promotion takes: ordering every such unit most valuable first (then by line), keeping those
    within the per-line limit, up to the per-transaction limit. Those of one line are always its
    most valuable ones, so a count says which."""
    remaining = ledger.remaining
    per_line = plan.per_line
    if per_line is None and plan.per_transaction is None and not above and not ledger.plain:
        return [
            (line, len(values) if (values := remaining[line])[-1] else _positive(values)) for line in lines
        ]
    chosen: list[LineCount] = []
    total = 0
    for line in lines:
        values = remaining[line]
        if values[-1] > above:
            count = len(values)
        elif values[0] <= above:
            continue
        else:
            count = 0
            for value in values:
                if value <= above:
                    break
                count += 1
        if per_line is not None and count > per_line:
            count = per_line
        if count:
            chosen.append((line, count))
            total += count
    limit = plan.per_transaction
    if limit is not None and total > limit:
        ordered = sorted((-value, line) for line, count in chosen for value in remaining[line][:count])
        kept: dict[int, int] = {}
        for _, line in ordered[:limit]:
            kept[line] = kept.get(line, 0) + 1
        chosen = [(line, kept[line]) for line, _ in chosen if line in kept]
    return chosen


def _positive(values: list[int]) -> int:
    """How many units of a line (most valuable first) are worth something."""
    count = 0
    for value in values:
        if not value:
            break
        count += 1
    return count


def has_room(per_line: dict[int, int], line: int, limit: int | None) -> bool:
    return limit is None or per_line.get(line, 0) < limit
