"""SetSafetyStock: hold units back from what channels may promise at one (sku, node).

Rules: the sku and node must be known to master data; the quantity is a whole number >= 0; a reason
is required. The position is locked (created when nothing happened there yet), the change is kept
with who made it and why, and a PositionChanged event carries the new available to sell. Setting
the value it already has changes nothing (no audit row, no event). Reservations already made are
not undone: a larger safety stock can leave the position short (shown as shortfall, available to
sell 0), and new reservations are refused until stock covers it.
"""

from __future__ import annotations

import msgspec

from inventory.application.ports import Clock, References, UnitOfWork
from inventory.domain.errors import UnknownReference
from inventory.domain.events import position_changed
from inventory.domain.position import Position, PositionKey
from inventory.domain.safety_stock import SafetyStockChange, with_safety_stock


class SetSafetyStockCmd(msgspec.Struct, frozen=True, kw_only=True):
    sku: str
    node: str
    safety_stock: int
    reason: str
    changed_by: str


class SetSafetyStock:
    def __init__(self, uow: UnitOfWork, clock: Clock, references: References) -> None:
        self._uow = uow
        self._clock = clock
        self._references = references

    async def __call__(self, cmd: SetSafetyStockCmd) -> Position:
        if await self._references.unknown_items([cmd.sku]):
            raise UnknownReference("sku", "sku", cmd.sku)
        if await self._references.unknown_nodes([cmd.node]):
            raise UnknownReference("node", "node", cmd.node)
        key = PositionKey(cmd.sku, cmd.node)
        async with self._uow as uow:
            before = (await uow.positions.get_many([key], for_update=True)).get(key) or Position.empty(key)
            after = with_safety_stock(before, cmd.safety_stock)
            if after == before:
                return before
            change = SafetyStockChange(
                sku=cmd.sku, node=cmd.node, previous=before.safety_stock, safety_stock=cmd.safety_stock,
                reason=cmd.reason, changed_by=cmd.changed_by, changed_at=self._clock.now(),
            )  # fmt: skip
            await uow.positions.save(after)
            await uow.safety_stock_changes.add(change)
            await uow.outbox.add(position_changed(after))
            await uow.commit()
        return after
