"""Channel bindings (DESIGN.md section 6): a key bound to channels reads and reserves only for them.

Movements, snapshots, positions and drift are views across channels, so they need a key without
channel bindings; availability and reservations name a channel, which the key must be bound to
(or have no channel binding at all), and the nodes must serve that channel.
"""

from __future__ import annotations

from collections.abc import Iterable

from retail_platform.principal import Principal
from retail_platform.problems import ProblemError

from inventory.application.ports import Nodes


def require_unbound(principal: Principal) -> None:
    if principal.channels:
        raise ProblemError(
            403, "Forbidden", "a key bound to channels may only read their availability and reserve for them"
        )


async def nodes_for_channel(
    principal: Principal, channel_id: str | None, nodes: Iterable[str], catalogue: Nodes
) -> None:
    """403 unless the key may act for ``channel_id`` and every node serves it; a bound key must
    name its channel."""
    if channel_id is None:
        if principal.channels:
            raise ProblemError(403, "Forbidden", "a key bound to channels must name one", field="channel_id")
        return
    if not principal.may_access_channel(channel_id):
        raise ProblemError(
            403, "Forbidden", f"the API key is not bound to channel {channel_id!r}", field="channel_id"
        )
    serving = {node.node_id for node in await catalogue.serving(channel_id)}
    foreign = sorted(set(nodes) - serving)
    if foreign:
        raise ProblemError(
            403,
            "Forbidden",
            f"node(s) {', '.join(foreign)} do not serve channel {channel_id!r}",
            field="node",
        )
