"""Balancing: an external count (snapshot) against the event-derived balance at the same instant.

Drift = counted - derived. Zero drift needs no action; drift within the tolerance is corrected by a
cycle-count adjustment as of the snapshot instant; drift beyond it (or of unknown value when a value
limit is set) is an exception for a person, and nothing is adjusted.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

import msgspec
from canon.errors import ValidationError
from canon.ids import deterministic_id
from canon.inventory import DriftDetected, SnapshotSource
from canon.money import Money

from inventory.domain import _checks
from inventory.domain.movements import CycleCount

DriftAction = Literal["none", "auto_adjust", "exception"]


class Snapshot(msgspec.Struct, frozen=True, kw_only=True):
    """``counted_qty`` of sku at node as of ``as_of``, reported by ``source``."""

    sku: str
    node: str
    counted_qty: int
    as_of: datetime
    source: SnapshotSource

    def __post_init__(self) -> None:
        _checks.identifier("sku", self.sku)
        _checks.identifier("node", self.node)
        _checks.quantity("counted_qty", self.counted_qty, minimum=0)
        _checks.utc_instant("as_of", self.as_of)
        if self.source not in ("wms", "erp", "store_count"):
            raise ValidationError("source", f"must be wms, erp or store_count, got {self.source!r}")

    @property
    def snapshot_id(self) -> str:
        """Same source, position and instant: the same snapshot (a re-sent one is recognised)."""
        return deterministic_id(
            "inventory", "snapshot", self.source, self.sku, self.node, self.as_of.isoformat()
        )


class DriftTolerance(msgspec.Struct, frozen=True, kw_only=True):
    """Auto-correct only when every set limit holds: |units| <= max_units, |value| <= max_value_minor
    (item cost needed), |units| / derived <= max_ratio (derived 0 exceeds any ratio)."""

    max_units: int
    max_value_minor: int | None = None
    max_ratio: Decimal | None = None

    def __post_init__(self) -> None:
        _checks.quantity("max_units", self.max_units, minimum=0)
        if self.max_value_minor is not None:
            _checks.quantity("max_value_minor", self.max_value_minor, minimum=0)
        if self.max_ratio is not None and not (isinstance(self.max_ratio, Decimal) and self.max_ratio >= 0):
            raise ValidationError("max_ratio", f"must be a non-negative Decimal, got {self.max_ratio!r}")

    def breach(self, units: int, value: Money | None, derived_qty: int) -> str | None:
        """Why ``units`` of drift (``value`` at item cost) is beyond tolerance, or None."""
        magnitude = abs(units)
        if magnitude > self.max_units:
            return f"{magnitude} units exceeds {self.max_units}"
        if self.max_value_minor is not None:
            if value is None:
                return "no item cost to value the drift"
            if abs(value.amount_minor) > self.max_value_minor:
                return f"value {abs(value)} exceeds {self.max_value_minor} minor units"
        ratio_limit = self.max_ratio
        if (
            ratio_limit is not None
            and magnitude
            and (derived_qty == 0 or magnitude / Decimal(derived_qty) > ratio_limit)
        ):
            return f"{magnitude} of {derived_qty} units exceeds ratio {ratio_limit}"
        return None


class Drift(msgspec.Struct, frozen=True, kw_only=True):
    """One snapshot line's drift: ``quantity`` = counted - derived, ``value`` at item cost."""

    sku: str
    node: str
    source: SnapshotSource
    as_of: datetime
    counted_qty: int
    derived_qty: int
    quantity: int
    value: Money | None
    within_tolerance: bool
    action: DriftAction
    reason: str = ""


def compute_drift(
    snapshot: Snapshot, derived_qty: int, unit_cost: Money | None, tolerance: DriftTolerance
) -> Drift:
    quantity = snapshot.counted_qty - derived_qty
    value = unit_cost * quantity if unit_cost is not None else None
    breach = tolerance.breach(quantity, value, derived_qty)
    action: DriftAction = "none" if quantity == 0 else ("exception" if breach else "auto_adjust")
    return Drift(
        sku=snapshot.sku,
        node=snapshot.node,
        source=snapshot.source,
        as_of=snapshot.as_of,
        counted_qty=snapshot.counted_qty,
        derived_qty=derived_qty,
        quantity=quantity,
        value=value,
        within_tolerance=action != "exception",
        action=action,
        reason=breach or "",
    )


def adjustment_for(snapshot: Snapshot) -> CycleCount:
    """The correcting cycle count as of the snapshot instant; its key is derived from the snapshot,
    so re-ingesting the snapshot cannot adjust twice."""
    return CycleCount(
        idempotency_key=deterministic_id("inventory", "drift_adjustment", snapshot.snapshot_id),
        source_system=snapshot.source,
        occurred_at=snapshot.as_of,
        sku=snapshot.sku,
        node=snapshot.node,
        counted_qty=snapshot.counted_qty,
        reason="drift_auto_adjust",
    )


def drift_detected(drift: Drift) -> DriftDetected:
    return DriftDetected(
        sku=drift.sku,
        node=drift.node,
        source=drift.source,
        as_of=drift.as_of,
        counted_qty=drift.counted_qty,
        derived_qty=drift.derived_qty,
        quantity=drift.quantity,
        value=drift.value,
        reason=drift.reason,
    )
