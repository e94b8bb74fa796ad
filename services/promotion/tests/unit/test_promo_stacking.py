"""Stacking, exclusivity, groups, coupons and applicability, on worked examples (cents)."""

from datetime import UTC, datetime
from decimal import Decimal

from canon.money import Money
from promotion.domain import (
    Accounting,
    AmountOff,
    Cart,
    CartLine,
    CouponRedemption,
    CouponRequirement,
    CouponUse,
    EvaluationResult,
    Funding,
    LineAdjustment,
    Mechanic,
    PercentOff,
    PromotionVersion,
    RegionalWindow,
    Scope,
    Stacking,
    Window,
    evaluate,
)

NOW = datetime(2025, 3, 3, 12, tzinfo=UTC)
WINDOW = Window(start=datetime(2025, 3, 1, tzinfo=UTC), end=datetime(2025, 3, 8, tzinfo=UTC))


def usd(cents: int) -> Money:
    return Money(cents, "USD")


def pct(promotion_id: str, percent: int, **fields: object) -> PromotionVersion:
    return promo(promotion_id, PercentOff(percent=Decimal(percent)), **fields)


def promo(promotion_id: str, mechanic: Mechanic, **fields: object) -> PromotionVersion:
    defaults: dict[str, object] = {"version": 1, "name": promotion_id, "window": WINDOW}
    return PromotionVersion(promotion_id=promotion_id, mechanic=mechanic, **{**defaults, **fields})  # type: ignore[arg-type]


def items(*skus: str) -> Scope:
    return Scope(items=frozenset(skus))


LINES = [
    CartLine(line_id="l1", sku="A", category_id="GEN", qty=1, unit_price=usd(10000)),
    CartLine(line_id="l2", sku="B", category_id="GEN", qty=1, unit_price=usd(5000)),
]


def run(promotions: list[PromotionVersion], **cart: object) -> EvaluationResult:
    fields: dict[str, object] = {"channel": "store", "instant": NOW, "currency": "USD", "lines": LINES}
    fields.update(cart)
    return evaluate(promotions, Cart(**fields))  # type: ignore[arg-type]


def applied(result: EvaluationResult) -> dict[str, list[tuple[str, int]]]:
    return {
        line.line_id: [(a.promotion_id, a.amount.amount_minor) for a in line.adjustments]
        for line in result.lines
    }


# -- stacking ---------------------------------------------------------------------------------
def test_two_stackable_10_percent_offers_give_19_percent() -> None:
    result = run([pct("P2", 10), pct("P1", 10)])
    assert applied(result) == {"l1": [("P1", 1000), ("P2", 900)], "l2": [("P1", 500), ("P2", 450)]}
    assert result.total_discount == usd(2850)


def test_stackable_offers_apply_in_priority_order() -> None:
    first = promo("Z", AmountOff(amount=usd(1000), per="line"), stacking=Stacking(priority=1))
    second = pct("A", 10, stacking=Stacking(priority=2))
    result = run([second, first], lines=LINES[:1])
    assert applied(result) == {"l1": [("Z", 1000), ("A", 900)]}


def test_stacked_discounts_never_take_a_line_below_zero() -> None:
    result = run([pct("P1", 60), pct("P2", 60), promo("P3", AmountOff(amount=usd(99999), per="unit"))])
    assert [line.net for line in result.lines] == [usd(0), usd(0)]
    assert result.total_discount == usd(15000)


def test_exclusive_offer_beats_stackables_when_it_saves_more() -> None:
    exclusive = pct("X", 25, scope=items("A"), stacking=Stacking(exclusive=True))
    result = run([exclusive, pct("P1", 10), pct("P2", 10)])
    # On A: 25% (2500) beats 10%+10% (1900); B keeps the stackable offers.
    assert applied(result) == {"l1": [("X", 2500)], "l2": [("P1", 500), ("P2", 450)]}


def test_stackables_beat_an_exclusive_offer_that_saves_less() -> None:
    exclusive = pct("X", 15, scope=items("A"), stacking=Stacking(exclusive=True))
    result = run([exclusive, pct("P1", 10), pct("P2", 10)])
    assert applied(result)["l1"] == [("P1", 1000), ("P2", 900)]


def test_conflicting_exclusive_offers_pick_the_best_for_the_customer() -> None:
    result = run(
        [pct("X2", 20, stacking=Stacking(exclusive=True)), pct("X1", 30, stacking=Stacking(exclusive=True))]
    )
    assert applied(result) == {"l1": [("X1", 3000)], "l2": [("X1", 1500)]}


def test_equal_exclusive_offers_tie_break_by_priority_then_id() -> None:
    low_priority = pct("A", 20, stacking=Stacking(exclusive=True, priority=10))
    high_priority = pct("B", 20, stacking=Stacking(exclusive=True, priority=5))
    assert applied(run([low_priority, high_priority]))["l1"] == [("B", 2000)]
    same_a = pct("A", 20, stacking=Stacking(exclusive=True))
    same_b = pct("B", 20, stacking=Stacking(exclusive=True))
    assert applied(run([same_b, same_a]))["l1"] == [("A", 2000)]


def test_exclusive_offers_on_different_lines_both_apply() -> None:
    on_a = pct("XA", 20, scope=items("A"), stacking=Stacking(exclusive=True))
    on_b = pct("XB", 30, scope=items("B"), stacking=Stacking(exclusive=True))
    assert applied(run([on_a, on_b])) == {"l1": [("XA", 2000)], "l2": [("XB", 1500)]}


def test_only_the_best_offer_of_a_stacking_group_applies() -> None:
    loyalty_small = pct("L1", 10, stacking=Stacking(stacking_group="loyalty"))
    loyalty_big = pct("L2", 15, stacking=Stacking(stacking_group="loyalty"))
    result = run([loyalty_small, loyalty_big, pct("S", 5, stacking=Stacking(priority=200))])
    assert applied(result)["l1"] == [("L2", 1500), ("S", 425)]


# -- coupons ----------------------------------------------------------------------------------
SAVE10 = CouponRequirement(codes=frozenset({"SAVE10"}), multi_use=True, per_customer_limit=1, total_limit=100)


def test_a_coupon_offer_needs_its_code() -> None:
    coupon_offer = pct("C", 10, coupon=SAVE10)
    assert run([coupon_offer], customer_id="c1").total_discount == usd(0)
    result = run([coupon_offer], customer_id="c1", coupons=frozenset({"SAVE10", "OTHER"}))
    assert result.total_discount == usd(1500)
    assert result.coupons_consumed == [CouponRedemption(code="SAVE10", promotion_id="C", version=1)]


def test_exhausted_coupon_limits_stop_the_offer() -> None:
    coupon_offer = pct("C", 10, coupon=SAVE10)

    def total(use: CouponUse, customer_id: str | None = "c1") -> int:
        cart = Cart(
            channel="store",
            instant=NOW,
            currency="USD",
            lines=LINES,
            customer_id=customer_id,
            coupons=frozenset({"SAVE10"}),
        )
        result = evaluate([coupon_offer], cart, {"SAVE10": use})
        return result.total_discount.amount_minor

    assert total(CouponUse(total_used=99, used_by_customer=0)) == 1500
    assert total(CouponUse(total_used=100, used_by_customer=0)) == 0
    assert total(CouponUse(total_used=5, used_by_customer=1)) == 0
    assert total(CouponUse(total_used=5, used_by_customer=0), customer_id=None) == 0


def test_a_single_use_code_works_once() -> None:
    single = pct("C", 10, coupon=CouponRequirement(codes=frozenset({"ONE-XYZ"})))
    cart = Cart(channel="store", instant=NOW, currency="USD", lines=LINES, coupons=frozenset({"ONE-XYZ"}))
    assert evaluate([single], cart, {}).total_discount == usd(1500)
    assert evaluate([single], cart, {"ONE-XYZ": CouponUse(total_used=1)}).total_discount == usd(0)


def test_a_coupon_whose_offer_loses_is_not_consumed() -> None:
    coupon_offer = pct("C", 10, coupon=SAVE10, stacking=Stacking(exclusive=True))
    better = pct("X", 50, stacking=Stacking(exclusive=True))
    result = run([coupon_offer, better], customer_id="c1", coupons=frozenset({"SAVE10"}))
    assert result.coupons_consumed == []


# -- applicability ----------------------------------------------------------------------------
def test_outside_the_window_nothing_applies() -> None:
    assert run([pct("P", 10)], instant=datetime(2025, 3, 8, tzinfo=UTC)).total_discount == usd(0)


def test_regional_window_is_evaluated_in_store_local_time() -> None:
    evening = RegionalWindow(
        local_start=datetime(2025, 3, 3, 17), local_end=datetime(2025, 3, 3, 21), timezone="America/New_York"
    )
    offer = pct(
        "P", 10, window=Window(start=WINDOW.start, end=WINDOW.end, regional_windows={"US-NY": evening})
    )
    at_18_local = datetime(2025, 3, 3, 23, tzinfo=UTC)
    assert run([offer], region="US-NY", instant=at_18_local).total_discount == usd(1500)
    assert run([offer], region="US-NY", instant=NOW).total_discount == usd(0)
    assert run([offer], region="US-CA", instant=NOW).total_discount == usd(1500)


def test_scope_channels_regions_clusters_and_exclusions() -> None:
    scoped = pct(
        "P",
        10,
        scope=Scope(
            channels=frozenset({"ecommerce"}),
            regions=frozenset({"US-NY"}),
            store_clusters=frozenset({"urban"}),
            excluded_items=frozenset({"B"}),
        ),
    )
    assert run([scoped], region="US-NY", store_cluster="urban").total_discount == usd(0)
    result = run([scoped], channel="ecommerce", region="US-NY", store_cluster="urban")
    assert applied(result) == {"l1": [("P", 1000)], "l2": []}
    assert run([scoped], channel="ecommerce", region="US-NJ", store_cluster="urban").total_discount == usd(0)


def test_an_offer_in_another_currency_does_not_apply() -> None:
    euro = promo("E", AmountOff(amount=Money(500, "EUR"), per="unit"))
    assert run([euro]).total_discount == usd(0)


def test_each_adjustment_names_version_funding_and_accounting() -> None:
    vendor = Funding(source="vendor", vendor_id="ACME", share_pct=Decimal(60))
    manufacturer = Accounting(gl_discount_account="markdown", reduces_tax_base=False)
    offer = PromotionVersion(
        promotion_id="V",
        version=3,
        name="Acme coupon",
        window=WINDOW,
        mechanic=AmountOff(amount=usd(200), per="unit"),
        scope=items("A"),
        funding=vendor,
        accounting=manufacturer,
    )
    result = run([offer])
    assert result.lines[0].adjustments == [
        LineAdjustment(
            promotion_id="V", version=3, amount=usd(200), units=1, funding=vendor, accounting=manufacturer
        )
    ]
    assert result.lines[0].adjustments[0].reduces_tax_base is False
    assert (result.lines[0].gross, result.lines[0].net) == (usd(10000), usd(9800))
