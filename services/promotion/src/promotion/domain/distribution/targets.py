"""Where a promotion version goes: one deployment target per (channel, region or store cluster).

Rules (documented in contracts/channels/README.md):
- the channels are the scope's channels, or every channel in master data when the scope names none;
- a channel's targets come from the master-data nodes that serve it (``Node.serves_channels``),
  kept when their region and store cluster are in scope;
- a store channel gets one target per (region, store cluster), named ``REGION/CLUSTER`` (or
  ``REGION`` for stores without a cluster), listing its stores; any other channel (ecommerce,
  mobile, marketplace) gets one target per region its fulfilling nodes are in;
- a channel no node in scope serves gets one target ``*`` that fails with that reason.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from canon.master.network import Channel, Node

from promotion.domain.distribution.master_view import MasterView
from promotion.domain.scope import Scope

NO_TARGET = "*"


@dataclass(frozen=True)
class Target:
    channel: Channel
    name: str
    region: str | None
    store_cluster: str | None = None
    stores: tuple[str, ...] = ()


def _in_scope(node: Node, scope: Scope) -> bool:
    return (not scope.regions or node.region in scope.regions) and (
        not scope.store_clusters or node.store_cluster in scope.store_clusters
    )


def channel_targets(channel: Channel, nodes: list[Node], scope: Scope) -> list[Target]:
    serving = [n for n in nodes if channel.channel_id in n.serves_channels and _in_scope(n, scope)]
    if channel.kind == "store":
        groups: dict[tuple[str, str | None], list[str]] = defaultdict(list)
        for node in serving:
            if node.kind == "store":
                groups[(node.region, node.store_cluster)].append(node.node_id)
        return [
            Target(channel, f"{region}/{cluster}" if cluster else region, region, cluster, tuple(sorted(ids)))
            for (region, cluster), ids in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1] or ""))
        ]
    regions = sorted({node.region for node in serving})
    return [Target(channel, region, region) for region in regions]


def plan_targets(scope: Scope, master: MasterView) -> tuple[list[Target], list[tuple[str, str]]]:
    """(targets, [(channel_id, reason)] for channels that cannot be targeted)."""
    channel_ids = sorted(scope.channels) if scope.channels else sorted(master.channels)
    targets: list[Target] = []
    untargeted: list[tuple[str, str]] = []
    for channel_id in channel_ids:
        channel = master.channels.get(channel_id)
        if channel is None:
            untargeted.append((channel_id, f"channel {channel_id!r} is not in master data"))
            continue
        found = channel_targets(channel, master.nodes, scope)
        if not found:
            untargeted.append((channel_id, f"no node serves channel {channel_id!r} in the promotion's scope"))
        targets.extend(found)
    return targets, untargeted
