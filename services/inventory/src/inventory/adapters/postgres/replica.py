"""The master replica consumer's handler: the shared replica table, plus inventory's item cost history
(the replica keeps only the newest cost per item and legal entity; COGS needs the cost in effect at
the shipment instant). A later version of the same (sku, legal entity, effective from) wins."""

from __future__ import annotations

import msgspec
from canon.envelope import Envelope
from canon.master.events import ItemCostUpserted, master_event_type
from master_replica import apply_master_event
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from inventory.adapters.postgres.tables import item_costs

ITEM_COST_TYPE = master_event_type("item_cost").type


async def apply_master_change(session: AsyncSession, envelope: Envelope, data: bytes) -> None:
    await apply_master_event(session, envelope, data)  # raises PermanentError for a bad event
    if envelope.type != ITEM_COST_TYPE:
        return
    event = msgspec.json.decode(data, type=ItemCostUpserted)
    cost = event.record
    statement = insert(item_costs).values(
        sku=cost.sku,
        legal_entity_id=cost.legal_entity_id,
        effective_from=cost.effective_from,
        amount_minor=cost.unit_cost.amount_minor,
        currency=cost.unit_cost.currency,
        version=event.version,
    )
    statement = statement.on_conflict_do_update(
        index_elements=[item_costs.c.sku, item_costs.c.legal_entity_id, item_costs.c.effective_from],
        set_={name: statement.excluded[name] for name in ("amount_minor", "currency", "version")},
        where=item_costs.c.version < statement.excluded.version,
    )
    await session.execute(statement)
