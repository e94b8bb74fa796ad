"""Candidate lookup: only the promotions that could touch a cart's items are evaluated.

:class:`PromotionIndex` compiles each active version once (:mod:`promotion.domain.plan`) and keys
it by the skus and categories it can touch (its scope items, else its mechanic's item sets);
versions that can touch any item sit in one short list. Per channel it keeps a view without the
other channels' offers, and a cart's lookup also yields the lines each candidate matched.
Evaluation cost then grows with the cart and its candidates, not with every active promotion.
:func:`naive_evaluate` scans every promotion: the benchmark baseline, and the oracle the index
must agree with.
"""

from __future__ import annotations

from collections.abc import Iterable

from promotion.domain.cart import Cart, CouponUsage
from promotion.domain.engine import canonical_order, evaluate, price_matched
from promotion.domain.mechanics import mechanic_item_sets
from promotion.domain.plan import Plan
from promotion.domain.priced import PricedCart
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


class _ChannelView:
    """The index restricted to the promotions that can apply in one channel (``None``: a channel
    no promotion names, where only those for every channel apply)."""

    __slots__ = ("any_item", "by_category", "by_sku")

    def __init__(
        self,
        by_sku: dict[str, list[Plan]],
        by_category: dict[str, list[Plan]],
        any_item: list[Plan],
        channel: str | None,
    ) -> None:
        def keep(plans: list[Plan]) -> tuple[Plan, ...]:
            return tuple(plan for plan in plans if not plan.channels or channel in plan.channels)

        self.by_sku = {key: kept for key, plans in by_sku.items() if (kept := keep(plans))}
        self.by_category = {key: kept for key, plans in by_category.items() if (kept := keep(plans))}
        self.any_item = keep(any_item)


class PromotionIndex:
    """An immutable lookup over the active versions; rebuild it when the active set changes.

    Each version is compiled once into a :class:`Plan`, and a view per channel (another channel's
    offer cannot apply) is built with the index, so the whole index is long-lived from the start
    (nothing built later for the garbage collector to walk once the service has frozen it).
    """

    def __init__(self, versions: Iterable[PromotionVersion]) -> None:
        unique = {(version.promotion_id, version.version): version for version in versions}
        self._by_sku: dict[str, list[Plan]] = {}
        self._by_category: dict[str, list[Plan]] = {}
        self._any_item: list[Plan] = []
        self._size = len(unique)
        for version in unique.values():
            plan = Plan(version)
            keys = item_keys(version)
            if keys is None:
                self._any_item.append(plan)
                continue
            for sku in keys[0]:
                self._by_sku.setdefault(sku, []).append(plan)
            for category in keys[1]:
                self._by_category.setdefault(category, []).append(plan)
        named = sorted(
            {channel for plans in self._by_sku.values() for plan in plans for channel in plan.channels}
            | {channel for plans in self._by_category.values() for plan in plans for channel in plan.channels}
            | {channel for plan in self._any_item for channel in plan.channels}
        )
        views = (self._by_sku, self._by_category, self._any_item)
        self._views = {channel: _ChannelView(*views, channel) for channel in named}
        self._elsewhere = _ChannelView(*views, None)

    def __len__(self) -> int:
        return self._size

    def _view(self, channel: str) -> _ChannelView:
        return self._views.get(channel, self._elsewhere)

    def candidate_plans(self, cart: Cart) -> set[Plan]:
        view = self._view(cart.channel)
        found = set(view.any_item)
        by_sku, by_category = view.by_sku, view.by_category
        for line in cart.lines:
            plans = by_sku.get(line.sku)
            if plans:
                found.update(plans)
            plans = by_category.get(line.category_id)
            if plans:
                found.update(plans)
        return found

    def candidates_for(self, cart: Cart) -> list[PromotionVersion]:
        """Versions that could touch some line of ``cart`` in its channel, without duplicates, in
        priority order."""
        return [plan.version for plan in sorted(self.candidate_plans(cart), key=lambda plan: plan.sort_key)]

    def evaluate(self, cart: Cart, usage: CouponUsage | None = None) -> EvaluationResult:
        return self.price(cart, usage).result()

    def price(self, cart: Cart, usage: CouponUsage | None = None) -> PricedCart:
        """:meth:`evaluate` before its Money is built (for adapters that write integers out)."""
        order, lines = canonical_order(cart)
        view = self._view(cart.channel)
        matched: dict[Plan, list[int] | None] = dict.fromkeys(view.any_item)
        by_sku, by_category = view.by_sku, view.by_category
        for position, line in enumerate(lines):
            for plans in (by_sku.get(line.sku), by_category.get(line.category_id)):
                if plans:
                    for plan in plans:
                        found = matched.get(plan)
                        if found is None:
                            matched[plan] = [position]
                        elif found[-1] != position:
                            found.append(position)
        return price_matched(matched, cart, usage, order, lines)


def naive_evaluate(
    all_promotions: Iterable[PromotionVersion], cart: Cart, usage: CouponUsage | None = None
) -> EvaluationResult:
    """Evaluate against every promotion, testing each line (no index, no shortcut): the reference
    result :meth:`PromotionIndex.evaluate` must equal, and the benchmark's baseline."""
    return evaluate(all_promotions, cart, usage, reference=True)
