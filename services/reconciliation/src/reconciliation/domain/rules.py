"""Matching tolerances, which settlement amounts are variances of which kind, and marketplace rules.

A settlement line's fee is a processor fee; a marketplace's commission is a marketplace commission;
a currency conversion or a reserve line is in whole the variance (its net, sign turned so that a
cost is positive). Chargebacks are not posted automatically: they are exceptions, and a person
decides (dispute or accept) with an adjusting entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from canon.settlement import RECORD_TYPES, SETTLEMENT_SOURCES

Basis = Literal["fee", "net"]
MARKETPLACES = frozenset({"amazon"})


@dataclass(frozen=True)
class Tolerances:
    amount_minor: int = 0
    """Amount/date matching: |settlement - ledger| may be at most this."""
    date_days: int = 2
    """Amount/date matching: the settlement may be booked this many days from the sale."""
    mismatch_minor: int = 0
    """A reference match differing by more than this is an amount-mismatch exception."""
    settlement_window_days: int = 5
    """A sale not settled within this many days stops being a timing difference."""
    payout_window_days: int = 3
    """A payout must reach the bank within this many days."""
    posting_grace_days: int = 1
    """Completeness: a recorded transaction must be posted within this many days."""
    returns_window_days: int = 14
    """Returns: refund and disposition must meet within this many days."""

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if value < 0:
                raise ValueError(f"{name} must not be negative")


@dataclass(frozen=True)
class MarketplaceRule:
    """Per-marketplace revenue rule: commission may not exceed this share of the order's principal."""

    marketplace: str
    max_commission_rate: Decimal
    tolerance_minor: int = 1


MARKETPLACE_RULES: dict[str, MarketplaceRule] = {
    "amazon": MarketplaceRule(marketplace="amazon", max_commission_rate=Decimal("0.15")),
}


def variance_rule(processor: str, record_type: str) -> tuple[str, Basis] | None:
    """(variance kind, basis) for a line, or None when the line carries no variance."""
    if record_type == "payout":
        return None
    if record_type == "currency_conversion":
        return "currency_conversion", "net"
    if record_type == "reserve":
        return "reserve", "net"
    if record_type == "commission" and processor in MARKETPLACES:
        return "marketplace_commission", "fee"
    return "processor_fee", "fee"


def variance_rule_table() -> list[tuple[str, str, str, str]]:
    """Every (processor, record_type, kind, basis): the rules as rows, for a set-based join."""
    rows: list[tuple[str, str, str, str]] = []
    for processor in sorted(SETTLEMENT_SOURCES):
        for record_type in sorted(RECORD_TYPES):
            rule = variance_rule(processor, record_type)
            if rule is not None:
                rows.append((processor, record_type, rule[0], rule[1]))
    return rows
