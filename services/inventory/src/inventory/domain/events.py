"""Domain events a movement produces (payload types live in :mod:`canon.inventory`)."""

from __future__ import annotations

from collections.abc import Mapping

import msgspec
from canon.inventory import InventoryEvent, MovementRecorded, PositionChanged, ReturnDisposed, Shipped

from inventory.domain import movements as mv
from inventory.domain.position import Position, PositionKey

_COMMON_FIELDS = frozenset(
    {"idempotency_key", "source_system", "occurred_at", "sku", "node", "destination_node"}
)


def movement_recorded(movement: mv.Movement) -> MovementRecorded:
    """The audit event; ``references`` are the movement's other textual fields (order_id, rma...)."""
    fields = msgspec.structs.asdict(movement)
    references = {
        name: value for name, value in fields.items() if isinstance(value, str) and name not in _COMMON_FIELDS
    }
    qty = fields.get("qty", fields.get("counted_qty"))
    return MovementRecorded(
        idempotency_key=movement.idempotency_key,
        movement_type=mv.movement_type(movement),
        source_system=movement.source_system,
        occurred_at=movement.occurred_at,
        sku=movement.sku,
        node=movement.node,
        qty=qty,
        destination_node=fields.get("destination_node"),
        references=references,
    )


def movement_events(movement: mv.Movement, *, audit: bool = True) -> list[InventoryEvent]:
    """MovementRecorded (when ``audit``: the outbox may not publish it); Shipped for a shipment
    (unit cost filled in by the caller, who knows item cost); ReturnDisposed for a return."""
    events: list[InventoryEvent] = [movement_recorded(movement)] if audit else []
    if isinstance(movement, mv.Ship):
        events.append(
            Shipped(
                movement_id=movement.idempotency_key,
                sku=movement.sku,
                node=movement.node,
                qty=movement.qty,
                order_id=movement.order_id,
                occurred_at=movement.occurred_at,
            )
        )
    elif isinstance(movement, mv.ReturnReceived):
        events.append(
            ReturnDisposed(
                movement_id=movement.idempotency_key,
                sku=movement.sku,
                node=movement.node,
                qty=movement.qty,
                disposition=movement.disposition,
                occurred_at=movement.occurred_at,
                order_id=movement.order_id,
                rma=movement.rma,
            )
        )
    return events


def position_changed(position: Position) -> PositionChanged:
    return PositionChanged(
        sku=position.sku,
        node=position.node,
        on_hand=position.on_hand,
        reserved=position.reserved,
        allocated=position.allocated,
        in_transit=position.in_transit,
        damaged=position.damaged,
        safety_stock=position.safety_stock,
        available_to_sell=position.available_to_sell,
        shortfall=position.shortfall,
        as_of=position.as_of,
    )


def position_changes(
    before: Mapping[PositionKey, Position], after: Mapping[PositionKey, Position]
) -> list[PositionChanged]:
    """PositionChanged for each position whose quantities changed (pick/pack publish none)."""
    return [
        position_changed(position)
        for key, position in after.items()
        if key not in before or before[key].quantities() != position.quantities()
    ]
