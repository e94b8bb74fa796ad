"""Master data as inventory needs it, from the local replica: known skus and nodes, the nodes serving
a channel, item cost at an instant. Cached for the hot paths; the replica consumer invalidates the
cache when it applies a change, and entries also expire (another process may have applied it).
"""

from __future__ import annotations

import time
from bisect import bisect_right
from collections.abc import Iterable
from datetime import datetime

import msgspec
from canon.envelope import Envelope
from canon.master.network import Node
from canon.money import Money
from master_replica import master_replica
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from inventory.adapters.postgres.tables import item_costs

CostHistory = tuple[list[datetime], list[Money]]
_NO_COST: CostHistory = ([], [])


class MasterReadModel:
    """Implements the References, Nodes and ItemCosts ports."""

    def __init__(self, session_factory: async_sessionmaker[AsyncSession], ttl_s: float = 30.0) -> None:
        self._session_factory = session_factory
        self._ttl_s = ttl_s
        self._nodes: dict[str, Node] | None = None
        self._nodes_loaded_at = 0.0
        self._known_skus: set[str] = set()
        self._skus_loaded = False
        self._costs: dict[str, tuple[float, dict[str, CostHistory]]] = {}
        """Per legal entity: when loaded, and the cost history of every sku that has one."""

    def invalidate(self, envelope: Envelope) -> None:
        """After the replica applied a master event (its ``after_commit`` hook)."""
        if envelope.type.startswith("retail.master.node_"):
            self._nodes = None
        elif envelope.type.startswith("retail.master.item_cost_"):
            self._costs.clear()

    async def nodes(self) -> dict[str, Node]:
        if self._nodes is None or time.monotonic() - self._nodes_loaded_at > self._ttl_s:
            query = select(master_replica.c.content).where(master_replica.c.record_type == "node")
            async with self._session_factory() as session:
                rows = (await session.execute(query)).scalars().all()
            loaded = [msgspec.convert(content, Node) for content in rows]
            self._nodes = {node.node_id: node for node in loaded}
            self._nodes_loaded_at = time.monotonic()
        return self._nodes

    async def unknown_nodes(self, nodes: Iterable[str]) -> set[str]:
        known = await self.nodes()
        return {node for node in nodes if node not in known}

    async def unknown_items(self, skus: Iterable[str]) -> set[str]:
        """Known skus are remembered (items are never deleted, only made inactive): the first call
        loads every known key (one query, not one per batch while the set fills up), later ones
        look up only the skus not seen yet."""
        missing = set(skus) - self._known_skus
        if not missing:
            return set()
        query = select(master_replica.c.key).where(master_replica.c.record_type == "item")
        if self._skus_loaded:
            query = query.where(master_replica.c.key.in_(sorted(missing)))
        async with self._session_factory() as session:
            found = set((await session.execute(query)).scalars())
        self._known_skus |= found
        self._skus_loaded = True
        return missing - found

    async def serving(self, channel_id: str) -> list[Node]:
        return sorted(
            (node for node in (await self.nodes()).values() if channel_id in node.serves_channels),
            key=lambda node: node.node_id,
        )

    async def unit_cost(self, sku: str, node: str, at: datetime) -> Money | None:
        """The cost for the node's legal entity in effect at ``at`` (latest effective_from <= at)."""
        found = (await self.nodes()).get(node)
        if found is None:
            return None
        starts, costs = (await self._entity_costs(found.legal_entity_id)).get(sku, _NO_COST)
        position = bisect_right(starts, at)
        return costs[position - 1] if position else None

    async def _entity_costs(self, legal_entity_id: str) -> dict[str, CostHistory]:
        """Every cost of one legal entity, loaded at once (one query, not one per shipped sku)."""
        loaded = self._costs.get(legal_entity_id)
        if loaded is not None and time.monotonic() - loaded[0] <= self._ttl_s:
            return loaded[1]
        query = (
            select(
                item_costs.c.sku,
                item_costs.c.effective_from,
                item_costs.c.amount_minor,
                item_costs.c.currency,
            )
            .where(item_costs.c.legal_entity_id == legal_entity_id)
            .order_by(item_costs.c.sku, item_costs.c.effective_from)
        )
        async with self._session_factory() as session:
            rows = (await session.execute(query)).all()
        history: dict[str, CostHistory] = {}
        for row in rows:
            starts, costs = history.setdefault(row.sku, ([], []))
            starts.append(row.effective_from)
            costs.append(Money(row.amount_minor, row.currency))
        self._costs[legal_entity_id] = (time.monotonic(), history)
        return history
