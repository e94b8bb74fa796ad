"""Placing transaction-level rewards and taxes on lines, without losing a minor unit."""

from __future__ import annotations

import msgspec
from canon.money import Money
from canon.sales import SalesLine, TaxLine

from connectors.sales.poslog._lines import PendingDiscount


def place_discounts(
    lines: list[SalesLine], rewards: list[PendingDiscount], by_operator_sequence: dict[str, int]
) -> list[SalesLine]:
    """A reward goes on the line it references; an unreferenced one is split over the lines."""
    discounts = [list(line.discounts) for line in lines]
    for pending in rewards:
        target = by_operator_sequence.get(pending.operator_sequence or "")
        if target is not None:
            discounts[target].append(pending.discount)
            continue
        for index, part in enumerate(_spread(pending.discount.amount, lines)):
            if not part.is_zero():
                discounts[index].append(msgspec.structs.replace(pending.discount, amount=part))
    return [
        msgspec.structs.replace(line, discounts=found) for line, found in zip(lines, discounts, strict=True)
    ]


def spread_taxes(lines: list[SalesLine], taxes: list[TaxLine]) -> list[SalesLine]:
    """Transaction-level tax line items, split over the lines in proportion to their net."""
    shares = [list(line.taxes) for line in lines]
    for levied in taxes:
        for index, part in enumerate(_spread(levied.amount, lines)):
            if not part.is_zero():
                shares[index].append(msgspec.structs.replace(levied, amount=part, taxable_base=None))
    return [msgspec.structs.replace(line, taxes=found) for line, found in zip(lines, shares, strict=True)]


def _spread(amount: Money, lines: list[SalesLine]) -> list[Money]:
    """Largest-remainder split by each line's net (by gross when every net is zero)."""
    weights = [max(line.net.amount_minor, 0) for line in lines]
    if sum(weights) == 0:
        weights = [line.gross.amount_minor for line in lines]
    if sum(weights) == 0:
        weights = [1 for _ in lines]
    return amount.allocate(weights)
