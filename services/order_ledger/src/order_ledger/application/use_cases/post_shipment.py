"""Post cost of goods sold when inventory reports a shipment (`retail.inventory.shipped.v1`).

Rules: the cost is the event's unit cost, else the item cost of the legal entity in the master
replica; the legal entity is the shipping node's (master data), else the order's; the business date
is the shipment instant in the node's (or legal entity's) time zone. Without a cost the shipment
cannot be posted and is refused with the reason (it goes to the DLQ, and is replayed once the cost
is known). A shipment posted before is not posted again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from canon.envelope import Envelope
from canon.inventory import Shipped

from order_ledger.application import events
from order_ledger.application.ports import ReferenceNeeds, ShipmentCost, UnitOfWork
from order_ledger.domain.errors import PostingError
from order_ledger.domain.other_postings import post_shipment


class PostShipment:
    def __init__(self, clock: Callable[[], datetime] | None = None) -> None:
        self._clock = clock or (lambda: datetime.now(UTC))

    async def __call__(self, uow: UnitOfWork, shipped: Shipped, envelope: Envelope | None = None) -> str:
        needs = ReferenceNeeds(set(), {shipped.sku}, {shipped.node}, set(), set())
        reference = await uow.reference.load(needs)
        node = reference.nodes.get(shipped.node)
        order = await uow.transactions.legal_entity_of_order(shipped.order_id)
        legal_entity_id = node.legal_entity_id if node is not None else (order[0] if order else None)
        if legal_entity_id is None:
            raise PostingError("node", f"node {shipped.node} and order {shipped.order_id} are both unknown")
        reference = await uow.reference.load(
            ReferenceNeeds(
                {legal_entity_id}, {shipped.sku}, {shipped.node}, set(), {(shipped.sku, legal_entity_id)}
            )
        )
        unit_cost = shipped.unit_cost or reference.item_costs.get((shipped.sku, legal_entity_id))
        if unit_cost is None:
            raise PostingError(
                "unit_cost",
                f"no cost for {shipped.sku} in {legal_entity_id}: not in the event nor master data",
            )
        business_date, period = reference.posting_day(legal_entity_id, shipped.node, shipped.occurred_at)
        entry = post_shipment(
            shipped,
            legal_entity_id=legal_entity_id,
            business_date=business_date,
            unit_cost=unit_cost,
            rules=reference.rules_for(legal_entity_id),
            period=period,
            posted_at=self._clock(),
            channel_id=order[1] if order else None,
            flags=() if shipped.unit_cost else ("cost_from_master_data",),
        )
        await uow.shipment_costs.add(  # the cost a return of these goods reverses (idempotent)
            ShipmentCost(
                movement_id=shipped.movement_id,
                order_id=shipped.order_id,
                sku=shipped.sku,
                legal_entity_id=legal_entity_id,
                qty=shipped.qty,
                unit_cost=unit_cost,
            )
        )
        if await uow.journal.exists(entry.entry_id):
            return entry.entry_id
        await uow.journal.add([entry])
        await uow.outbox.add_many([events.entry_posted(entry, envelope.correlation_id if envelope else None)])
        return entry.entry_id
