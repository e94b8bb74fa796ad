"""Where and to what a promotion applies: channels, regions, store clusters, items, exclusions."""

from __future__ import annotations

import msgspec

from promotion.domain import _checks


class Scope(msgspec.Struct, frozen=True, kw_only=True):
    """An empty selector means "all" (all channels, all regions ...); exclusions always win.

    An item is covered when its sku is in ``items`` or its category in ``categories`` (or both
    are empty), and neither its sku nor its category is excluded.
    """

    channels: frozenset[str] = frozenset()
    regions: frozenset[str] = frozenset()
    store_clusters: frozenset[str] = frozenset()
    items: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()
    excluded_items: frozenset[str] = frozenset()
    excluded_categories: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        for name in self.__struct_fields__:
            _checks.identifiers(f"scope.{name}", getattr(self, name))

    @property
    def names_items(self) -> bool:
        """True when the scope itself restricts items (so the index can key on them)."""
        return bool(self.items or self.categories)

    def covers_context(self, channel: str, region: str | None, store_cluster: str | None) -> bool:
        return (
            (not self.channels or channel in self.channels)
            and (not self.regions or region in self.regions)
            and (not self.store_clusters or store_cluster in self.store_clusters)
        )

    def covers_item(self, sku: str, category_id: str) -> bool:
        if sku in self.excluded_items or category_id in self.excluded_categories:
            return False
        return not self.names_items or sku in self.items or category_id in self.categories
