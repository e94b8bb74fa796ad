"""The MasterData port over the local master-data replica (fed by retail.master.* events)."""

from __future__ import annotations

from collections.abc import Collection

from canon.master.network import Channel, Node
from canon.master.product import Item, TaxCode
from master_replica import MasterReplica, master_replica
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from promotion.domain.distribution.master_view import MasterView


class ReplicaMasterData:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._replica = MasterReplica(session)

    async def view(self, skus: Collection[str]) -> MasterView:
        items: dict[str, Item] = await self._replica.get_many("item", list(skus)) if skus else {}
        channels: list[Channel] = await self._replica.all("channel")
        nodes: list[Node] = await self._replica.all("node")
        tax_codes: list[TaxCode] = await self._replica.all("tax_code")
        return MasterView(
            items=items,
            channels={c.channel_id: c for c in channels},
            nodes=nodes,
            tax_codes={(t.region, t.tax_class): t for t in tax_codes},
        )

    async def existing(self, record_type: str, keys: Collection[str]) -> set[str]:
        if not keys:
            return set()
        query = select(master_replica.c.key).where(
            master_replica.c.record_type == record_type, master_replica.c.key.in_(list(keys))
        )
        return set((await self._session.execute(query)).scalars())
