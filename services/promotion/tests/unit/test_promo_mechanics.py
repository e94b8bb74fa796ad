"""Each mechanic on worked examples a merchandiser would check by hand (amounts in cents)."""

from datetime import UTC, datetime
from decimal import Decimal

from canon.money import Money
from promotion.domain import (
    AmountOff,
    BundleComponent,
    BundlePrice,
    BuyXGetY,
    Cart,
    CartLine,
    EvaluationResult,
    FixedPrice,
    ItemSet,
    Limits,
    Mechanic,
    PercentOff,
    PromotionVersion,
    SpendThreshold,
    Tier,
    Window,
    evaluate,
)

NOW = datetime(2025, 3, 3, 12, tzinfo=UTC)
WINDOW = Window(start=datetime(2025, 3, 1, tzinfo=UTC), end=datetime(2025, 3, 8, tzinfo=UTC))


def usd(cents: int) -> Money:
    return Money(cents, "USD")


def promo(mechanic: Mechanic, promotion_id: str = "P1", **fields: object) -> PromotionVersion:
    return PromotionVersion(
        promotion_id=promotion_id, version=1, name=promotion_id, window=WINDOW, mechanic=mechanic, **fields
    )  # type: ignore[arg-type]


def line(line_id: str, sku: str, qty: int, cents: int, category: str = "GEN") -> CartLine:
    return CartLine(line_id=line_id, sku=sku, category_id=category, qty=qty, unit_price=usd(cents))


def run(promotions: list[PromotionVersion], *lines: CartLine) -> EvaluationResult:
    return evaluate(promotions, Cart(channel="store", instant=NOW, currency="USD", lines=list(lines)))


def discounts(result: EvaluationResult) -> dict[str, int]:
    return {line.line_id: line.discount.amount_minor for line in result.lines}


def units(result: EvaluationResult) -> dict[str, int]:
    return {line.line_id: sum(a.units for a in line.adjustments) for line in result.lines}


def only_skus(*skus: str) -> ItemSet:
    return ItemSet(skus=frozenset(skus))


# -- percent, amount, fixed price -------------------------------------------------------------
def test_percent_off_is_rounded_once_per_line() -> None:
    result = run([promo(PercentOff(percent=Decimal(50)))], line("l1", "A", 3, 33), line("l2", "B", 1, 1999))
    assert discounts(result) == {"l1": 50, "l2": 1000}  # 99 * 50% = 49.5 -> 50; 1999 * 50% = 999.5 -> 1000
    assert result.total_discount == usd(1050)


def test_amount_off_per_unit_never_takes_a_unit_below_zero() -> None:
    result = run(
        [promo(AmountOff(amount=usd(150), per="unit"))], line("l1", "A", 2, 100), line("l2", "B", 2, 400)
    )
    assert discounts(result) == {"l1": 200, "l2": 300}
    assert result.lines[0].net == usd(0)


def test_amount_off_per_line() -> None:
    result = run(
        [promo(AmountOff(amount=usd(500), per="line"))], line("l1", "A", 2, 300), line("l2", "B", 1, 200)
    )
    assert discounts(result) == {"l1": 500, "l2": 200}


def test_amount_off_per_order_is_spread_by_largest_remainder() -> None:
    result = run(
        [promo(AmountOff(amount=usd(100), per="order"))],
        line("l3", "C", 1, 100),
        line("l1", "A", 1, 100),
        line("l2", "B", 1, 100),
    )
    # 100 / 3 = 33.33 each; the extra cent goes to the first line in canonical (sku) order.
    assert discounts(result) == {"l3": 33, "l1": 34, "l2": 33}
    assert result.total_discount == usd(100)


def test_amount_off_per_order_in_proportion_to_each_line() -> None:
    result = run(
        [promo(AmountOff(amount=usd(1000), per="order"))], line("l1", "A", 3, 1000), line("l2", "B", 1, 1000)
    )
    assert discounts(result) == {"l1": 750, "l2": 250}


def test_fixed_price_discounts_down_to_the_price() -> None:
    result = run([promo(FixedPrice(price=usd(500)))], line("l1", "A", 2, 800))
    assert discounts(result) == {"l1": 600}
    assert units(result) == {"l1": 2}


def test_fixed_price_above_the_unit_price_gives_no_negative_discount() -> None:
    result = run([promo(FixedPrice(price=usd(500)))], line("l1", "A", 2, 400), line("l2", "B", 1, 500))
    assert discounts(result) == {"l1": 0, "l2": 0}
    assert all(not line.adjustments for line in result.lines)
    assert result.total_discount == usd(0)


# -- buy X get Y ------------------------------------------------------------------------------
def bogo(**fields: object) -> BuyXGetY:
    return BuyXGetY(buy_qty=1, get_qty=1, buy_set=ItemSet(categories=frozenset({"SHIRT"})), **fields)  # type: ignore[arg-type]


def test_bogo_with_an_odd_quantity_gives_one_free() -> None:
    result = run([promo(bogo())], line("l1", "A", 3, 1000, "SHIRT"))
    assert discounts(result) == {"l1": 1000}
    assert units(result) == {"l1": 1}


def test_bogo_gets_the_cheapest_units_by_default() -> None:
    result = run(
        [promo(bogo())],
        line("l1", "A", 1, 1000, "SHIRT"),
        line("l2", "B", 1, 800, "SHIRT"),
        line("l3", "C", 1, 600, "SHIRT"),
        line("l4", "D", 1, 400, "SHIRT"),
        line("l5", "E", 1, 5000, "SHOE"),
    )
    assert discounts(result) == {"l1": 0, "l2": 0, "l3": 600, "l4": 400, "l5": 0}


def test_bogo_gets_the_most_expensive_units_when_the_promotion_says_so() -> None:
    result = run(
        [promo(bogo(get_units="most_expensive"))],
        line("l1", "A", 3, 1000, "SHIRT"),
        line("l2", "B", 2, 600, "SHIRT"),
    )
    assert discounts(result) == {"l1": 2000, "l2": 0}


def test_bogo_with_mixed_prices_and_odd_quantities() -> None:
    result = run([promo(bogo())], line("l1", "A", 3, 1000, "SHIRT"), line("l2", "B", 2, 600, "SHIRT"))
    # 5 units -> 2 offers; the two cheapest (6.00, 6.00) are got, three 10.00 units are bought.
    assert discounts(result) == {"l1": 0, "l2": 1200}


def test_buy_2_get_1_at_half_price_repeats() -> None:
    mechanic = BuyXGetY(buy_qty=2, get_qty=1, get_percent_off=Decimal(50), buy_set=only_skus("A"))
    result = run([promo(mechanic)], line("l1", "A", 7, 400))
    assert discounts(result) == {"l1": 400}  # 7 units -> 2 offers -> 2 units at 50% of 4.00
    assert units(result) == {"l1": 2}


def test_buy_2_get_1_not_repeatable_applies_once() -> None:
    mechanic = BuyXGetY(
        buy_qty=2, get_qty=1, get_percent_off=Decimal(50), buy_set=only_skus("A"), repeatable=False
    )
    assert discounts(run([promo(mechanic)], line("l1", "A", 7, 400))) == {"l1": 200}


def test_buy_from_one_set_get_from_another() -> None:
    mechanic = BuyXGetY(buy_qty=2, get_qty=1, buy_set=only_skus("A"), get_set=only_skus("B"))
    result = run([promo(mechanic)], line("l1", "A", 2, 500), line("l2", "B", 2, 2000))
    assert discounts(result) == {"l1": 0, "l2": 2000}
    assert units(result) == {"l1": 0, "l2": 1}
    assert discounts(run([promo(mechanic)], line("l1", "A", 1, 500), line("l2", "B", 1, 2000))) == {
        "l1": 0,
        "l2": 0,
    }


def test_a_unit_is_never_both_bought_and_got() -> None:
    mechanic = BuyXGetY(
        buy_qty=1, get_qty=1, buy_set=ItemSet(categories=frozenset({"TOY"})), get_set=only_skus("B")
    )
    # Only B units: one is bought, the other got.
    assert discounts(run([promo(mechanic)], line("l1", "B", 2, 300, "TOY"))) == {"l1": 300}
    # One B alone cannot be both.
    assert discounts(run([promo(mechanic)], line("l1", "B", 1, 300, "TOY"))) == {"l1": 0}
    # A cheap A is bought so that B can be got, though A is cheaper.
    result = run([promo(mechanic)], line("l1", "A", 1, 100, "TOY"), line("l2", "B", 1, 300, "TOY"))
    assert discounts(result) == {"l1": 0, "l2": 300}


# -- spend threshold ---------------------------------------------------------------------------
TIERS = SpendThreshold(
    tiers=[
        Tier(threshold=usd(5000), amount_off=usd(500)),
        Tier(threshold=usd(10000), percent_off=Decimal(15)),
    ]
)


def test_tiers_at_their_boundaries() -> None:
    def total(cents: int) -> int:
        return run([promo(TIERS)], line("l1", "A", 1, cents)).total_discount.amount_minor

    assert total(4999) == 0
    assert total(5000) == 500
    assert total(9999) == 500
    assert total(10000) == 1500


def test_tier_reward_is_spread_over_lines() -> None:
    result = run([promo(TIERS)], line("l1", "A", 1, 3000), line("l2", "B", 2, 1000))
    assert discounts(result) == {"l1": 300, "l2": 200}


# -- bundles ----------------------------------------------------------------------------------
MEAL = BundlePrice(
    components=[
        BundleComponent(items=ItemSet(categories=frozenset({"BURGER"})), qty=1),
        BundleComponent(items=ItemSet(categories=frozenset({"DRINK"})), qty=1),
    ],
    price=usd(800),
)


def test_bundle_price_spreads_the_saving_over_its_lines() -> None:
    result = run([promo(MEAL)], line("l1", "BURG", 2, 600, "BURGER"), line("l2", "COLA", 1, 300, "DRINK"))
    # One bundle 9.00 -> 8.00: 1.00 split 600:300 -> 66.67/33.33 -> 67/33.
    assert discounts(result) == {"l1": 67, "l2": 33}
    assert units(result) == {"l1": 1, "l2": 1}


def test_bundles_repeat_while_components_last() -> None:
    result = run([promo(MEAL)], line("l1", "BURG", 2, 600, "BURGER"), line("l2", "COLA", 3, 300, "DRINK"))
    assert discounts(result) == {"l1": 134, "l2": 66}


def test_a_bundle_dearer_than_its_parts_gives_nothing() -> None:
    result = run([promo(MEAL)], line("l1", "BURG", 1, 500, "BURGER"), line("l2", "COLA", 1, 300, "DRINK"))
    assert result.total_discount == usd(0)


# -- limits -----------------------------------------------------------------------------------
def test_limit_2_per_transaction_discounts_the_most_valuable_units() -> None:
    limited = promo(PercentOff(percent=Decimal(50)), limits=Limits(max_units_per_transaction=2))
    result = run([limited], line("l1", "A", 3, 1000), line("l2", "B", 1, 2000))
    assert discounts(result) == {"l1": 500, "l2": 1000}
    assert units(result) == {"l1": 1, "l2": 1}


def test_limit_per_line() -> None:
    limited = promo(AmountOff(amount=usd(100), per="unit"), limits=Limits(max_units_per_line=2))
    result = run([limited], line("l1", "A", 5, 1000), line("l2", "B", 1, 1000))
    assert discounts(result) == {"l1": 200, "l2": 100}


def test_limit_on_buy_x_get_y_counts_the_got_units() -> None:
    limited = promo(bogo(), limits=Limits(max_units_per_transaction=1))
    assert discounts(run([limited], line("l1", "A", 6, 1000, "SHIRT"))) == {"l1": 1000}


def test_got_units_split_a_rounding_remainder_cheapest_first() -> None:
    """Units 3, 3, 3; a fixed price of 1 on one unit leaves 3, 3, 1. Buy 1 get 2 at 50%: the got
    units are the cheapest (1 and 3), half of 4 is 2, split 1:3 by largest remainder. The tie goes
    to the first got unit, the cheapest, so both got units are discounted (1 each), not 2 and 0."""
    first = promo(FixedPrice(price=usd(1)), "A-FIXED", limits=Limits(max_units_per_line=1))
    second = promo(BuyXGetY(buy_qty=1, get_qty=2, get_percent_off=Decimal(50)), "B-BOGO")
    result = run([first, second], line("l1", "S", 3, 3))
    adjustments = {a.promotion_id: (a.amount.amount_minor, a.units) for a in result.lines[0].adjustments}
    assert adjustments == {"A-FIXED": (2, 1), "B-BOGO": (2, 2)}
