"""GetChannelAvailability: what a channel may promise for a sku, summed over its nodes."""

from __future__ import annotations

from inventory.application.ports import Nodes, UnitOfWork
from inventory.domain.availability import ChannelAvailability, channel_availability
from inventory.domain.position import PositionKey


class GetChannelAvailability:
    def __init__(self, uow: UnitOfWork, nodes: Nodes) -> None:
        self._uow = uow
        self._nodes = nodes

    async def __call__(self, sku: str, channel_id: str) -> ChannelAvailability:
        nodes = await self._nodes.serving(channel_id)
        async with self._uow as uow:
            positions = await uow.positions.get_many([PositionKey(sku, node.node_id) for node in nodes])
        return channel_availability(sku, channel_id, nodes, positions)
