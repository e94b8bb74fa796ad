"""A set of items named by sku and/or category, used by mechanics that pick units."""

from __future__ import annotations

import msgspec

from promotion.domain import _checks


class ItemSet(msgspec.Struct, frozen=True, kw_only=True):
    """Items whose sku is in ``skus`` or whose category is in ``categories``.

    An empty set means "any item the promotion's scope covers".
    """

    skus: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        _checks.identifiers("skus", self.skus)
        _checks.identifiers("categories", self.categories)

    @property
    def is_any(self) -> bool:
        return not self.skus and not self.categories

    def contains(self, sku: str, category_id: str) -> bool:
        return self.is_any or sku in self.skus or category_id in self.categories
