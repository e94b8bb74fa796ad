"""IngestSnapshot: balance an external count (WMS, ERP, store count) against the events.

Rules: the count is compared with the event-derived on hand as of the snapshot's instant (events
that arrived late but occurred before it count); the drift is recorded once per snapshot line (a
re-sent snapshot changes nothing); within tolerance it is corrected by a cycle count as of that
instant, beyond it a DriftDetected exception is published and nothing is adjusted. A correction
that would contradict later movements (e.g. leave a later shipment without stock) becomes an
exception too.
"""

from __future__ import annotations

from dataclasses import dataclass

import msgspec
from canon.errors import ValidationError

from inventory.application.ports import ItemCosts, References, UnitOfWork
from inventory.application.use_cases.recording import record_movement
from inventory.domain.drift import (
    Drift,
    DriftTolerance,
    Snapshot,
    adjustment_for,
    compute_drift,
    drift_detected,
)
from inventory.domain.errors import UnknownReference
from inventory.domain.ordering import balance_as_of
from inventory.domain.position import PositionKey


@dataclass(frozen=True)
class SnapshotOutcome:
    drift: Drift
    duplicate: bool = False


class IngestSnapshot:
    def __init__(
        self,
        uow: UnitOfWork,
        item_costs: ItemCosts,
        tolerance: DriftTolerance,
        references: References | None = None,
    ) -> None:
        self._uow = uow
        self._item_costs = item_costs
        self._tolerance = tolerance
        self._references = references

    async def __call__(self, snapshot: Snapshot) -> SnapshotOutcome:
        """UnknownReference for a sku or node master data does not know."""
        if self._references is not None:
            if await self._references.unknown_items([snapshot.sku]):
                raise UnknownReference("sku", "sku", snapshot.sku)
            if await self._references.unknown_nodes([snapshot.node]):
                raise UnknownReference("node", "node", snapshot.node)
        try:
            return await self._balance(snapshot, refused=None)
        except ValidationError as refused:
            return await self._balance(snapshot, refused=refused)

    async def _balance(self, snapshot: Snapshot, refused: ValidationError | None) -> SnapshotOutcome:
        key = PositionKey(snapshot.sku, snapshot.node)
        async with self._uow as uow:
            await uow.positions.get(key, for_update=True)  # movements on it wait for the balancing
            log = await uow.movements.list_for(key, up_to=snapshot.as_of)
            derived = balance_as_of(log, snapshot.sku, snapshot.node, snapshot.as_of)
            unit_cost = await self._item_costs.unit_cost(snapshot.sku, snapshot.node, snapshot.as_of)
            drift = compute_drift(snapshot, derived.on_hand, unit_cost, self._tolerance)
            if refused is not None and drift.action == "auto_adjust":
                reason = f"adjustment refused: {refused}"
                drift = msgspec.structs.replace(
                    drift, action="exception", within_tolerance=False, reason=reason
                )
            if not await uow.drifts.add(drift):
                return SnapshotOutcome(drift=drift, duplicate=True)
            if drift.action == "auto_adjust":
                await record_movement(uow, adjustment_for(snapshot))
            elif drift.action == "exception":
                await uow.outbox.add(drift_detected(drift))
            await uow.commit()
        return SnapshotOutcome(drift=drift)
