"""The promotion index looks up only the promotions a cart's items could trigger."""

from datetime import UTC, datetime
from decimal import Decimal

from canon.money import Money
from promotion.application.evaluation import EvaluateCart
from promotion.domain import (
    BundleComponent,
    BundlePrice,
    BuyXGetY,
    Cart,
    CartLine,
    ItemSet,
    PercentOff,
    PromotionIndex,
    PromotionVersion,
    Scope,
    Window,
)
from promotion.domain.mechanics import Mechanic

NOW = datetime(2025, 3, 3, 12, tzinfo=UTC)
WINDOW_START, WINDOW_END = datetime(2025, 3, 1, tzinfo=UTC), datetime(2025, 3, 8, tzinfo=UTC)


def promo(id_: str, scope: Scope | None = None, mechanic: Mechanic | None = None) -> PromotionVersion:
    return PromotionVersion(
        promotion_id=id_,
        version=1,
        name=id_,
        window=Window(start=WINDOW_START, end=WINDOW_END),
        mechanic=mechanic or PercentOff(percent=Decimal(10)),
        scope=scope or Scope(),
    )


CART = Cart(
    channel="store",
    instant=NOW,
    currency="USD",
    lines=[CartLine(line_id="l1", sku="A", category_id="TOYS", qty=1, unit_price=Money(1000, "USD"))],
)


def test_candidates_are_keyed_by_sku_category_and_any_item() -> None:
    unrelated = [promo(f"OTHER{n:04}", Scope(items=frozenset({f"SKU{n}"}))) for n in range(1000)]
    by_sku = promo("BY-SKU", Scope(items=frozenset({"A"})))
    by_category = promo("BY-CAT", Scope(categories=frozenset({"TOYS"})))
    any_item = promo("ANY")
    bogo = BuyXGetY(buy_qty=1, get_qty=1, buy_set=ItemSet(skus=frozenset({"A"})))
    by_mechanic = promo("BOGO", mechanic=bogo)
    bundle_elsewhere = promo(
        "BUNDLE",
        mechanic=BundlePrice(
            components=[BundleComponent(items=ItemSet(skus=frozenset({"Z"})), qty=1)], price=Money(1, "USD")
        ),
    )
    index = PromotionIndex([*unrelated, by_sku, by_category, any_item, by_mechanic, bundle_elsewhere])
    assert len(index) == 1005
    assert [p.promotion_id for p in index.candidates_for(CART)] == ["ANY", "BOGO", "BY-CAT", "BY-SKU"]


def test_a_promotion_under_several_keys_is_a_candidate_once() -> None:
    both = promo("BOTH", Scope(items=frozenset({"A"}), categories=frozenset({"TOYS"})))
    assert PromotionIndex([both]).candidates_for(CART) == [both]


def test_the_evaluate_cart_facade_swaps_its_index_on_reload() -> None:
    evaluate_cart = EvaluateCart([promo("P1")])
    assert evaluate_cart(CART).total_discount == Money(100, "USD")
    evaluate_cart.reload([])
    assert evaluate_cart.active_count == 0
    assert evaluate_cart(CART).total_discount == Money(0, "USD")
