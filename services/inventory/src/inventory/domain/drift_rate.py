"""Drift rate by node: the share of snapshot lines that disagreed, and by how much, over a window."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from canon.money import Money

from inventory.domain.drift import Drift


@dataclass(frozen=True)
class NodeDriftRate:
    """``units`` and ``value`` sum the absolute drift (value only over lines with an item cost)."""

    node: str
    lines: int
    lines_with_drift: int
    units: int
    value: Money | None

    @property
    def rate(self) -> float:
        return self.lines_with_drift / self.lines if self.lines else 0.0


def drift_rate_by_node(drifts: Iterable[Drift], start: datetime, end: datetime) -> dict[str, NodeDriftRate]:
    """Per node, over snapshot lines with ``start <= as_of < end``; CurrencyMismatch if a node's
    values are in different currencies."""
    rates: dict[str, NodeDriftRate] = {}
    for drift in drifts:
        if not start <= drift.as_of < end:
            continue
        so_far = rates.get(drift.node) or NodeDriftRate(drift.node, 0, 0, 0, None)
        value = so_far.value
        if drift.value is not None:
            value = abs(drift.value) if value is None else value + abs(drift.value)
        rates[drift.node] = NodeDriftRate(
            node=drift.node,
            lines=so_far.lines + 1,
            lines_with_drift=so_far.lines_with_drift + (drift.quantity != 0),
            units=so_far.units + abs(drift.quantity),
            value=value,
        )
    return dict(sorted(rates.items()))
