"""A stock position per (sku, node) and the available-to-sell rule."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple

import msgspec
from canon.errors import ValidationError

from inventory.domain import _checks


class PositionKey(NamedTuple):
    sku: str
    node: str


class Position(msgspec.Struct, frozen=True, kw_only=True):
    """Quantities of one sku at one node, in the item's unit of measure.

    ``damaged`` (quarantine) is part of ``on_hand``: the units are in the building but not
    sellable. ``as_of`` is the latest occurred-at of the movements applied to it. Invariants: every
    quantity >= 0 and damaged <= on_hand.
    """

    sku: str
    node: str
    on_hand: int = 0
    reserved: int = 0
    allocated: int = 0
    in_transit: int = 0
    damaged: int = 0
    safety_stock: int = 0
    as_of: datetime | None = None
    count_at_as_of: bool = False
    """A cycle count occurred at ``as_of``: a movement at that same instant sorts before it."""

    def __post_init__(self) -> None:
        if _plainly_valid(self):  # the common case, checked without a call per field
            return
        _checks.identifier("sku", self.sku)
        _checks.identifier("node", self.node)
        for field in ("on_hand", "reserved", "allocated", "in_transit", "damaged", "safety_stock"):
            _checks.quantity(field, getattr(self, field), minimum=0)
        if self.damaged > self.on_hand:
            raise ValidationError("damaged", f"{self.damaged} damaged exceeds {self.on_hand} on hand")
        if self.as_of is not None:
            _checks.utc_instant("as_of", self.as_of)

    @classmethod
    def empty(cls, key: PositionKey, safety_stock: int = 0) -> Position:
        return cls(sku=key.sku, node=key.node, safety_stock=safety_stock)

    @property
    def key(self) -> PositionKey:
        return PositionKey(self.sku, self.node)

    @property
    def net_available(self) -> int:
        """on hand - reserved - allocated - damaged - safety stock; negative when over-committed."""
        return self.on_hand - self.reserved - self.allocated - self.damaged - self.safety_stock

    @property
    def available_to_sell(self) -> int:
        """What a channel may promise: never shown below zero."""
        return max(0, self.net_available)

    @property
    def shortfall(self) -> int:
        """How far commitments exceed stock (the negative part of net_available), else 0."""
        return max(0, -self.net_available)

    @property
    def sellable_on_hand(self) -> int:
        """Units that can physically leave as good stock: on hand minus quarantine."""
        return self.on_hand - self.damaged

    def quantities(self) -> tuple[int, int, int, int, int, int]:
        return (self.on_hand, self.reserved, self.allocated, self.in_transit, self.damaged, self.safety_stock)


_ZERO = timedelta(0)


def _plainly_valid(p: Position) -> bool:
    """Every invariant holds, for plain values (str keys, int quantities, a UTC ``as_of``); False
    sends the position through the field-by-field checks, which name what is wrong."""
    sku, node, as_of = p.sku, p.node, p.as_of
    quantities = (p.on_hand, p.reserved, p.allocated, p.in_transit, p.damaged, p.safety_stock)
    return (
        type(sku) is str
        and type(node) is str
        and sku != ""
        and node != ""
        and sku == sku.strip()
        and node == node.strip()
        and all(type(quantity) is int for quantity in quantities)
        and min(quantities) >= 0
        and p.damaged <= p.on_hand
        and (as_of is None or (type(as_of) is datetime and as_of.utcoffset() == _ZERO))
    )
