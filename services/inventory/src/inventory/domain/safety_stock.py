"""Safety stock: units a planner holds back from what channels may promise at one position.

Not a movement (no unit moves): a setting of the position, changed by a person or a planning
system. Each change is kept as a SafetyStockChange (who, when, why, from what to what) and shows in
available to sell at once; a re-fold of the position from its log keeps the current setting.
"""

from __future__ import annotations

from datetime import datetime

import msgspec
from canon.errors import ValidationError

from inventory.domain import _checks
from inventory.domain.position import Position

MAX_REASON = 500


class SafetyStockChange(msgspec.Struct, frozen=True, kw_only=True):
    sku: str
    node: str
    previous: int
    safety_stock: int
    reason: str
    changed_by: str
    changed_at: datetime

    def __post_init__(self) -> None:
        _checks.identifier("sku", self.sku)
        _checks.identifier("node", self.node)
        _checks.quantity("safety_stock", self.safety_stock, minimum=0)
        _checks.identifier("changed_by", self.changed_by)
        _checks.utc_instant("changed_at", self.changed_at)
        if not self.reason.strip() or len(self.reason) > MAX_REASON:
            raise ValidationError("reason", f"give why, in 1 to {MAX_REASON} characters")


def with_safety_stock(position: Position, safety_stock: int) -> Position:
    """The position holding ``safety_stock`` back (its other quantities unchanged)."""
    _checks.quantity("safety_stock", safety_stock, minimum=0)
    return msgspec.structs.replace(position, safety_stock=safety_stock)
