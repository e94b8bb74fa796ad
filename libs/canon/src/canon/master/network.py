"""Where goods are and where they are sold: nodes (stores, DCs, ...) and sales channels."""

from __future__ import annotations

from typing import Literal

import msgspec

from canon import _checks

NodeKind = Literal["store", "dc", "dark_store", "3pl"]
ChannelKind = Literal["store", "ecommerce", "mobile", "marketplace"]


class Node(msgspec.Struct, frozen=True, kw_only=True):
    """A stock-holding location. ``serves_channels`` lists the channels whose availability
    includes this node's stock; ``timezone`` (IANA) turns instants into its business dates."""

    node_id: str
    name: str
    kind: NodeKind
    region: str
    legal_entity_id: str
    timezone: str
    store_cluster: str | None = None
    serves_channels: list[str] = []

    def __post_init__(self) -> None:
        _checks.identifier("node_id", self.node_id)
        _checks.text("name", self.name)
        _checks.one_of("kind", self.kind, NodeKind)
        _checks.identifier("region", self.region)
        _checks.identifier("legal_entity_id", self.legal_entity_id)
        _checks.timezone_name("timezone", self.timezone)
        _checks.optional_identifier("store_cluster", self.store_cluster)
        _checks.identifiers("serves_channels", self.serves_channels)

    @property
    def key(self) -> str:
        return self.node_id


class Channel(msgspec.Struct, frozen=True, kw_only=True):
    """A sales channel (a store estate, a web shop, an app, one marketplace) selling in one
    currency for one legal entity."""

    channel_id: str
    name: str
    kind: ChannelKind
    legal_entity_id: str
    currency: str

    def __post_init__(self) -> None:
        _checks.identifier("channel_id", self.channel_id)
        _checks.text("name", self.name)
        _checks.one_of("kind", self.kind, ChannelKind)
        _checks.identifier("legal_entity_id", self.legal_entity_id)
        _checks.currency("currency", self.currency)

    @property
    def key(self) -> str:
        return self.channel_id
