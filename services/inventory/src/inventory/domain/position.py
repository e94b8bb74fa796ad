"""A stock position per (sku, node) and the available-to-sell rule."""

from __future__ import annotations

from datetime import datetime
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
