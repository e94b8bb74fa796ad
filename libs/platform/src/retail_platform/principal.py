"""Who is calling: an integrator's API key with its scopes and data bindings (pure, no I/O).

Scopes are `<area>:<action>` (e.g. `sales:write`); `<area>:*` grants every action of an area, `*`
grants everything. Bindings restrict data: an empty binding means all values are allowed.
"""

from __future__ import annotations

import msgspec

ALL_SCOPES = "*"


class ApiKeyBindings(msgspec.Struct, frozen=True, kw_only=True):
    channels: tuple[str, ...] = ()
    legal_entities: tuple[str, ...] = ()
    store_clusters: tuple[str, ...] = ()


class Principal(msgspec.Struct, frozen=True, kw_only=True):
    key_id: str
    owner: str
    scopes: tuple[str, ...]
    channels: tuple[str, ...] = ()
    legal_entities: tuple[str, ...] = ()
    store_clusters: tuple[str, ...] = ()

    def has_scope(self, scope: str) -> bool:
        if ALL_SCOPES in self.scopes or scope in self.scopes:
            return True
        area, _, _ = scope.partition(":")
        return f"{area}:*" in self.scopes

    def may_access_channel(self, channel_id: str) -> bool:
        return not self.channels or channel_id in self.channels

    def may_access_legal_entity(self, legal_entity_id: str) -> bool:
        return not self.legal_entities or legal_entity_id in self.legal_entities

    def may_access_store_cluster(self, store_cluster_id: str) -> bool:
        return not self.store_clusters or store_cluster_id in self.store_clusters


ANONYMOUS = Principal(key_id="anonymous", owner="anonymous", scopes=(ALL_SCOPES,))
"""The caller when `api_keys_required` is off (local runs only): every scope, no bindings."""
