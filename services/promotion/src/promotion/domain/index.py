"""Candidate lookup: only the promotions that could touch a cart's items are evaluated.

:class:`PromotionIndex` keys each active version by the skus and categories it can touch (its
scope items, else its mechanic's item sets); versions that can touch any item sit in one short
list. Evaluation cost then grows with the cart and its candidates, not with every active
promotion. :func:`naive_evaluate` scans every promotion: the benchmark baseline, and the oracle
the index must agree with.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from promotion.domain.cart import Cart, CouponUsage
from promotion.domain.engine import evaluate
from promotion.domain.mechanics import mechanic_item_sets
from promotion.domain.result import EvaluationResult
from promotion.domain.version import PromotionVersion


def item_keys(promotion: PromotionVersion) -> tuple[frozenset[str], frozenset[str]] | None:
    """(skus, categories) a line must match one of to be touched, or None for "any item"."""
    if promotion.scope.names_items:
        return promotion.scope.items, promotion.scope.categories
    item_sets = mechanic_item_sets(promotion.mechanic)
    if item_sets is None:
        return None
    skus = frozenset().union(*(item_set.skus for item_set in item_sets))
    categories = frozenset().union(*(item_set.categories for item_set in item_sets))
    return skus, categories


class PromotionIndex:
    """An immutable lookup over the active versions; rebuild it when the active set changes."""

    def __init__(self, versions: Iterable[PromotionVersion]) -> None:
        self._by_sku: dict[str, list[PromotionVersion]] = defaultdict(list)
        self._by_category: dict[str, list[PromotionVersion]] = defaultdict(list)
        self._any_item: list[PromotionVersion] = []
        self._size = 0
        for version in versions:
            self._size += 1
            keys = item_keys(version)
            if keys is None:
                self._any_item.append(version)
                continue
            for sku in keys[0]:
                self._by_sku[sku].append(version)
            for category in keys[1]:
                self._by_category[category].append(version)

    def __len__(self) -> int:
        return self._size

    def candidates_for(self, cart: Cart) -> list[PromotionVersion]:
        """Versions that could touch some line of ``cart`` in its channel, without duplicates, in
        priority order."""
        found: dict[tuple[str, int], PromotionVersion] = {}
        channel = cart.channel
        for line in cart.lines:
            for version in (*self._by_sku.get(line.sku, ()), *self._by_category.get(line.category_id, ())):
                channels = version.scope.channels
                if not channels or channel in channels:  # another channel's offer cannot apply
                    found[(version.promotion_id, version.version)] = version
        for version in self._any_item:
            if not version.scope.channels or channel in version.scope.channels:
                found[(version.promotion_id, version.version)] = version
        return sorted(found.values(), key=lambda version: version.sort_key)

    def evaluate(self, cart: Cart, usage: CouponUsage | None = None) -> EvaluationResult:
        return evaluate(self.candidates_for(cart), cart, usage)


def naive_evaluate(
    all_promotions: Iterable[PromotionVersion], cart: Cart, usage: CouponUsage | None = None
) -> EvaluationResult:
    """Evaluate against every promotion, testing each line (no index, no shortcut): the reference
    result :meth:`PromotionIndex.evaluate` must equal, and the benchmark's baseline."""
    return evaluate(all_promotions, cart, usage, reference=True)
