"""Cart evaluation facade for the API adapters (REST, gRPC): holds the index over active versions.

Business rules live in :mod:`promotion.domain.engine`; this only keeps the current index and
swaps it atomically when the set of active versions changes (a new index is built off to the
side, then replaces the old one, so an evaluation never sees a half-built index).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable

import msgspec

from promotion.domain.cart import Cart, CouponUsage, CouponUse
from promotion.domain.errors import ValidationError
from promotion.domain.index import PromotionIndex
from promotion.domain.priced import PricedCart
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

    def price(self, cart: Cart, usage: CouponUsage | None = None) -> PricedCart:
        """The same answer in integers, before Money (what the gRPC adapter writes out)."""
        return self._index.price(cart, usage)


UsageReader = Callable[[frozenset[str], str | None], Awaitable[dict[str, CouponUse]]]
NodePlaces = Callable[[str], tuple[str, str | None] | None]


class CartEvaluator:
    """What REST and gRPC call: resolves the cart's node to its region and store cluster (when the
    caller did not), loads the usage of the cart's coupon codes, then evaluates in memory."""

    def __init__(self, evaluate_cart: EvaluateCart, usage: UsageReader, node_places: NodePlaces) -> None:
        self.evaluate_cart = evaluate_cart
        self._usage = usage
        self._node_places = node_places

    async def __call__(self, cart: Cart) -> EvaluationResult:
        return (await self.price(cart)).result()

    async def price(self, cart: Cart) -> PricedCart:
        """The answer in integers, before Money (what the gRPC adapter writes out)."""
        if cart.node is not None and cart.region is None:
            place = self._node_places(cart.node)
            if place is not None:
                cart = msgspec.structs.replace(
                    cart, region=place[0], store_cluster=cart.store_cluster or place[1]
                )
        usage = await self._usage(cart.coupons, cart.customer_id) if cart.coupons else {}
        return self.evaluate_cart.price(cart, usage)


_CART = msgspec.json.Decoder(Cart)
_NAMED_REASON = re.compile(r"^(?P<field>[\w.\[\]']+): (?P<reason>.*)$", re.DOTALL)


def decode_cart(data: bytes) -> Cart:
    """JSON -> Cart; a bad value raises ValidationError naming its path (``lines[2].qty``)."""
    try:
        return _CART.decode(data)
    except ValidationError:
        raise
    except msgspec.ValidationError as error:
        reason, _, at = str(error).partition(" - at `$")
        path = at.rstrip("`").lstrip(".")
        named = _NAMED_REASON.match(reason)  # raised by a value object: it names its own field
        if named is not None:
            field = f"{path}.{named['field']}" if path else named["field"]
            raise ValidationError(field, named["reason"]) from None
        raise ValidationError(path or "$", reason) from None
    except msgspec.DecodeError as error:
        raise ValidationError("$", f"not valid JSON: {error}") from None
