"""Channel availability: what a channel may promise for a sku, over the nodes that serve it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from canon.master.network import Node

from inventory.domain.position import Position, PositionKey


@dataclass(frozen=True)
class ChannelAvailability:
    sku: str
    channel_id: str
    available_to_sell: int
    by_node: dict[str, int]


def channel_availability(
    sku: str, channel_id: str, nodes: Iterable[Node], positions: Mapping[PositionKey, Position]
) -> ChannelAvailability:
    """Sum of available to sell at the nodes whose ``serves_channels`` includes the channel.

    Each node counts at its own available to sell (never below zero): one node's shortfall does not
    eat another node's stock. A node without a position contributes 0.
    """
    by_node: dict[str, int] = {}
    for node in nodes:
        if channel_id in node.serves_channels:
            position = positions.get(PositionKey(sku, node.node_id))
            by_node[node.node_id] = position.available_to_sell if position else 0
    return ChannelAvailability(
        sku=sku,
        channel_id=channel_id,
        available_to_sell=sum(by_node.values()),
        by_node=dict(sorted(by_node.items())),
    )
