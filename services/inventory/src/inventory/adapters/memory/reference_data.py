"""In-memory reference data and clock: item costs, known skus and nodes, nodes, a settable clock."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from canon.master.network import Node
from canon.money import Money


class InMemoryItemCosts:
    """One cost per sku, whatever the node and instant."""

    def __init__(self, costs: Mapping[str, Money] | None = None) -> None:
        self.costs = dict(costs or {})

    async def unit_cost(self, sku: str, node: str, at: datetime) -> Money | None:
        return self.costs.get(sku)


class InMemoryReferences:
    """Known skus and nodes; None knows every value."""

    def __init__(self, skus: Iterable[str] | None = None, nodes: Iterable[str] | None = None) -> None:
        self.skus = None if skus is None else set(skus)
        self.nodes = None if nodes is None else set(nodes)

    async def unknown_items(self, skus: Iterable[str]) -> set[str]:
        return set() if self.skus is None else set(skus) - self.skus

    async def unknown_nodes(self, nodes: Iterable[str]) -> set[str]:
        return set() if self.nodes is None else set(nodes) - self.nodes


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
