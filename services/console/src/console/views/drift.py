"""Inventory drift by node: the inventory service's drift rates, worst node first, and the totals."""

from __future__ import annotations

from typing import Any

import msgspec


class NodeDrift(msgspec.Struct, frozen=True, kw_only=True):
    node: str
    lines: int
    lines_with_drift: int
    rate: float
    units: int
    value: dict[str, Any] | None


class DriftSummary(msgspec.Struct, frozen=True, kw_only=True):
    nodes: list[NodeDrift]
    lines: int
    lines_with_drift: int
    rate: float
    """Share of all snapshot lines in the window that had drift (0 when there were none)."""
    units: int


def drift_summary(rates: list[dict[str, Any]]) -> DriftSummary:
    nodes = sorted(
        (
            NodeDrift(
                node=str(r["node"]),
                lines=int(r["lines"]),
                lines_with_drift=int(r["lines_with_drift"]),
                rate=float(r["rate"]),
                units=int(r["units"]),
                value=r.get("value"),
            )
            for r in rates
        ),
        key=lambda n: (-n.rate, -n.units, n.node),
    )
    lines = sum(n.lines for n in nodes)
    with_drift = sum(n.lines_with_drift for n in nodes)
    return DriftSummary(
        nodes=nodes,
        lines=lines,
        lines_with_drift=with_drift,
        rate=with_drift / lines if lines else 0.0,
        units=sum(n.units for n in nodes),
    )
