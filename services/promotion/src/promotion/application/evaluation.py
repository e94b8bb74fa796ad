"""Cart evaluation facade for the API adapters (REST, gRPC): holds the index over active versions.

Business rules live in :mod:`promotion.domain.engine`; this only keeps the current index and
swaps it atomically when the set of active versions changes (a new index is built off to the
side, then replaces the old one, so an evaluation never sees a half-built index).
"""

from __future__ import annotations

from collections.abc import Iterable

from promotion.domain.cart import Cart, CouponUsage
from promotion.domain.index import PromotionIndex
from promotion.domain.result import EvaluationResult
from promotion.domain.version import PromotionVersion


class EvaluateCart:
    """``await``-free and pure: the caller loads coupon usage and records the consumed coupons."""

    def __init__(self, active_versions: Iterable[PromotionVersion] = ()) -> None:
        self._index = PromotionIndex(active_versions)

    def reload(self, active_versions: Iterable[PromotionVersion]) -> None:
        self._index = PromotionIndex(active_versions)

    @property
    def active_count(self) -> int:
        return len(self._index)

    def __call__(self, cart: Cart, usage: CouponUsage | None = None) -> EvaluationResult:
        return self._index.evaluate(cart, usage)
