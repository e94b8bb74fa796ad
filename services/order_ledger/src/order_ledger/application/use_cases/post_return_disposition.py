"""Post the cost side of a return when inventory reports its disposition
(`retail.inventory.return_disposed.v1`).

Rules: the cost is the one the original sale's COGS was posted at (the shipments of that sku for the
order; several at different costs: their quantity-weighted average, rounded half up), else the item
cost of the legal entity in the master replica (flagged `cost_from_master_data`); without either the
event is refused with the reason (DLQ; replayed once the cost is known). The legal entity is the
node's (master data), else the order's, else the shipment's. Returned to stock (`sellable`) reverses
COGS into inventory; damaged (`quarantine`) or sent away (`reverse_logistics`) reverses COGS into the
write-off account (domain/other_postings.py). A disposition posted before is not posted again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

from canon.envelope import Envelope
from canon.inventory import ReturnDisposed
from canon.money import Money

from order_ledger.application import events
from order_ledger.application.ports import ReferenceNeeds, ShipmentCost, UnitOfWork
from order_ledger.domain.errors import PostingError
from order_ledger.domain.other_postings import post_return_disposition


def original_unit_cost(shipments: list[ShipmentCost]) -> Money | None:
    """Quantity-weighted unit cost of the shipments (one currency), or None without any."""
    if not shipments:
        return None
    currency = shipments[0].unit_cost.currency
    if any(s.unit_cost.currency != currency for s in shipments):
        raise PostingError("unit_cost", "the order's shipments were costed in different currencies")
    units = sum(s.qty for s in shipments)
    total = sum(s.unit_cost.amount_minor * s.qty for s in shipments)
    average = (Decimal(total) / units).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return Money(int(average), currency)


class PostReturnDisposition:
    def __init__(self, clock: Callable[[], datetime] | None = None) -> None:
        self._clock = clock or (lambda: datetime.now(UTC))

    async def __call__(
        self, uow: UnitOfWork, disposed: ReturnDisposed, envelope: Envelope | None = None
    ) -> str:
        reference = await uow.reference.load(
            ReferenceNeeds(set(), {disposed.sku}, {disposed.node}, set(), set())
        )
        node = reference.nodes.get(disposed.node)
        order = await uow.transactions.legal_entity_of_order(disposed.order_id) if disposed.order_id else None
        shipments = (
            await uow.shipment_costs.of_order(disposed.order_id, disposed.sku) if disposed.order_id else []
        )
        legal_entity_id = (
            node.legal_entity_id
            if node is not None
            else order[0]
            if order
            else shipments[0].legal_entity_id
            if shipments
            else None
        )
        if legal_entity_id is None:
            raise PostingError(
                "node", f"node {disposed.node} and order {disposed.order_id or disposed.rma} are both unknown"
            )
        reference = await uow.reference.load(
            ReferenceNeeds(
                {legal_entity_id}, {disposed.sku}, {disposed.node}, set(), {(disposed.sku, legal_entity_id)}
            )
        )
        unit_cost = original_unit_cost(shipments)
        flags: tuple[str, ...] = ()
        if unit_cost is None:
            unit_cost = reference.item_costs.get((disposed.sku, legal_entity_id))
            flags = ("cost_from_master_data",)
        if unit_cost is None:
            raise PostingError(
                "unit_cost",
                f"no cost for returned {disposed.sku} in {legal_entity_id}: "
                "no shipment of it for the order and none in master data",
            )
        business_date, period = reference.posting_day(legal_entity_id, disposed.node, disposed.occurred_at)
        entry = post_return_disposition(
            disposed,
            legal_entity_id=legal_entity_id,
            business_date=business_date,
            unit_cost=unit_cost,
            rules=reference.rules_for(legal_entity_id),
            period=period,
            posted_at=self._clock(),
            channel_id=order[1] if order else None,
            flags=flags,
        )
        if await uow.journal.exists(entry.entry_id):
            return entry.entry_id
        await uow.journal.add([entry])
        await uow.outbox.add_many([events.entry_posted(entry, envelope.correlation_id if envelope else None)])
        return entry.entry_id
