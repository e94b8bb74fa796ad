"""In-memory reference data and clock: item costs, nodes, a settable clock."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from canon.master.network import Node
from canon.money import Money


class InMemoryItemCosts:
    def __init__(self, costs: Mapping[str, Money] | None = None) -> None:
        self.costs = dict(costs or {})

    async def unit_cost(self, sku: str, at: datetime) -> Money | None:
        return self.costs.get(sku)


class InMemoryNodes:
    def __init__(self, nodes: Iterable[Node] = ()) -> None:
        self.nodes = list(nodes)

    async def serving(self, channel_id: str) -> list[Node]:
        return [node for node in self.nodes if channel_id in node.serves_channels]


class FixedClock:
    """Stands still until moved: ``advance`` for TTL tests."""

    def __init__(self, now: datetime) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> None:
        self.current += delta
