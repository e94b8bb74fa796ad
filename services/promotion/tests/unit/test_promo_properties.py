"""Properties of the engine over random promotions and carts.

No line is discounted below zero or beyond its price; spread amounts sum exactly; the same input
gives the same output whatever the order of lines or promotions; the index agrees with a scan; the
gRPC response written from the engine's integers is the one built from its EvaluationResult.
"""

from datetime import UTC, datetime
from decimal import Decimal

from canon.money import Money, sum_money
from hypothesis import given, settings
from hypothesis import strategies as st
from promotion.adapters.grpc.messages import response_from_priced, response_from_result
from promotion.domain import (
    AmountOff,
    BundleComponent,
    BundlePrice,
    BuyXGetY,
    Cart,
    CartLine,
    CouponRequirement,
    CouponUse,
    EvaluationResult,
    FixedPrice,
    ItemSet,
    Limits,
    PercentOff,
    PromotionIndex,
    PromotionVersion,
    Scope,
    SpendThreshold,
    Stacking,
    Tier,
    Window,
    evaluate,
    naive_evaluate,
)

NOW = datetime(2025, 3, 3, 12, tzinfo=UTC)
OPEN = Window(start=datetime(2025, 3, 1, tzinfo=UTC), end=datetime(2025, 3, 8, tzinfo=UTC))
CLOSED = Window(start=datetime(2025, 4, 1, tzinfo=UTC), end=datetime(2025, 4, 8, tzinfo=UTC))
SKUS = ["A", "B", "C", "D", "E"]
CATEGORIES = ["C1", "C2", "C3"]


def usd(cents: int) -> Money:
    return Money(cents, "USD")


def id_sets(values: list[str], max_size: int) -> st.SearchStrategy[frozenset[str]]:
    return st.frozensets(st.sampled_from(values), max_size=max_size)


item_sets = st.builds(ItemSet, skus=id_sets(SKUS, 2), categories=id_sets(CATEGORIES, 1))
named_item_sets = item_sets.filter(lambda item_set: not item_set.is_any)
percents = st.integers(1, 100).map(Decimal) | st.sampled_from([Decimal("12.5"), Decimal("33.3")])
amounts = st.integers(1, 5000).map(usd)


@st.composite
def spend_thresholds(draw: st.DrawFn) -> SpendThreshold:
    thresholds = sorted(draw(st.lists(st.integers(1, 20000), min_size=1, max_size=3, unique=True)))
    tiers = [
        Tier(threshold=usd(t), percent_off=draw(percents))
        if draw(st.booleans())
        else Tier(threshold=usd(t), amount_off=draw(amounts))
        for t in thresholds
    ]
    return SpendThreshold(tiers=tiers)


mechanics = st.one_of(
    st.builds(PercentOff, percent=percents),
    st.builds(AmountOff, amount=amounts, per=st.sampled_from(["unit", "line", "order"])),
    st.builds(FixedPrice, price=st.integers(0, 5000).map(usd)),
    st.builds(
        BuyXGetY,
        buy_qty=st.integers(1, 3),
        get_qty=st.integers(1, 2),
        get_percent_off=percents,
        buy_set=item_sets,
        get_set=st.none() | item_sets,
        repeatable=st.booleans(),
        get_units=st.sampled_from(["cheapest", "most_expensive"]),
    ),
    st.builds(
        BundlePrice,
        components=st.lists(
            st.builds(BundleComponent, items=named_item_sets, qty=st.integers(1, 2)), min_size=1, max_size=3
        ),
        price=st.integers(0, 8000).map(usd),
    ),
    spend_thresholds(),
)
scopes = st.builds(
    Scope,
    channels=id_sets(["store", "web"], 1),
    items=id_sets(SKUS, 2),
    categories=id_sets(CATEGORIES, 1),
    excluded_items=id_sets(SKUS, 1),
)
stackings = st.builds(
    Stacking,
    exclusive=st.booleans(),
    stacking_group=st.sampled_from([None, None, "g1", "g2"]),
    priority=st.integers(0, 3),
)
limits = st.builds(
    Limits,
    max_units_per_line=st.none() | st.integers(1, 3),
    max_units_per_transaction=st.none() | st.integers(1, 4),
)
coupons = st.none() | st.builds(
    CouponRequirement,
    codes=st.sampled_from([frozenset({"K1"}), frozenset({"K2"}), frozenset({"K1", "K2"})]),
    multi_use=st.booleans(),
    per_customer_limit=st.none() | st.integers(1, 2),
    total_limit=st.none() | st.integers(1, 3),
)


@st.composite
def promotion_lists(draw: st.DrawFn) -> list[PromotionVersion]:
    count = draw(st.integers(0, 7))
    return [
        PromotionVersion(
            promotion_id=f"P{index}",
            version=draw(st.integers(1, 2)),
            name=f"promotion {index}",
            window=draw(st.sampled_from([OPEN, OPEN, OPEN, CLOSED])),
            mechanic=draw(mechanics),
            scope=draw(scopes),
            stacking=draw(stackings),
            limits=draw(limits),
            coupon=draw(coupons),
        )
        for index in range(count)
    ]


@st.composite
def carts(draw: st.DrawFn) -> Cart:
    specs = draw(
        st.lists(
            st.tuples(
                st.sampled_from(SKUS), st.sampled_from(CATEGORIES), st.integers(1, 4), st.integers(0, 5000)
            ),
            max_size=6,
        )
    )
    lines = [
        CartLine(line_id=f"l{index}", sku=sku, category_id=category, qty=qty, unit_price=usd(price))
        for index, (sku, category, qty, price) in enumerate(specs)
    ]
    return Cart(
        channel=draw(st.sampled_from(["store", "web"])),
        instant=NOW,
        currency="USD",
        lines=lines,
        customer_id=draw(st.none() | st.just("c1")),
        coupons=draw(id_sets(["K1", "K2"], 2)),
    )


usages = st.dictionaries(
    st.sampled_from(["K1", "K2"]),
    st.builds(CouponUse, total_used=st.integers(0, 3), used_by_customer=st.integers(0, 2)),
)


def by_line_id(result: EvaluationResult) -> dict[str, object]:
    return {line.line_id: line for line in result.lines}


@settings(max_examples=300)
@given(promotions=promotion_lists(), cart=carts(), usage=usages)
def test_no_line_is_discounted_below_zero_or_beyond_its_price(
    promotions: list[PromotionVersion], cart: Cart, usage: dict[str, CouponUse]
) -> None:
    result = evaluate(promotions, cart, usage)
    assert [line.line_id for line in result.lines] == [line.line_id for line in cart.lines]
    for cart_line, line in zip(cart.lines, result.lines, strict=True):
        assert line.gross == cart_line.unit_price * cart_line.qty
        assert usd(0) <= line.discount <= line.gross
        assert line.net == line.gross - line.discount
        assert sum_money((a.amount for a in line.adjustments), "USD") == line.discount
        assert all(a.amount > usd(0) and 1 <= a.units <= cart_line.qty for a in line.adjustments)
    assert result.total_discount == sum_money((line.discount for line in result.lines), "USD")
    assert {c.code for c in result.coupons_consumed} <= cart.coupons


@given(promotions=promotion_lists(), cart=carts(), usage=usages, data=st.data())
def test_same_input_same_output_whatever_the_order_of_promotions(
    promotions: list[PromotionVersion], cart: Cart, usage: dict[str, CouponUse], data: st.DataObject
) -> None:
    first = evaluate(promotions, cart, usage)
    assert evaluate(promotions, cart, usage) == first
    assert evaluate(data.draw(st.permutations(promotions)), cart, usage) == first


@given(promotions=promotion_lists(), cart=carts(), usage=usages, data=st.data())
def test_line_order_does_not_matter(
    promotions: list[PromotionVersion], cart: Cart, usage: dict[str, CouponUse], data: st.DataObject
) -> None:
    shuffled = Cart(
        **{
            **{f: getattr(cart, f) for f in cart.__struct_fields__},
            "lines": data.draw(st.permutations(cart.lines)),
        }
    )
    original = evaluate(promotions, cart, usage)
    reordered = evaluate(promotions, shuffled, usage)
    assert by_line_id(reordered) == by_line_id(original)
    assert reordered.total_discount == original.total_discount
    assert reordered.coupons_consumed == original.coupons_consumed


@settings(max_examples=300)
@given(promotions=promotion_lists(), cart=carts(), usage=usages)
def test_the_index_gives_the_same_result_as_a_full_scan(
    promotions: list[PromotionVersion], cart: Cart, usage: dict[str, CouponUse]
) -> None:
    assert PromotionIndex(promotions).evaluate(cart, usage) == naive_evaluate(promotions, cart, usage)


@settings(max_examples=200)
@given(promotions=promotion_lists(), cart=carts(), usage=usages)
def test_the_grpc_response_written_from_integers_is_the_one_from_the_result(
    promotions: list[PromotionVersion], cart: Cart, usage: dict[str, CouponUse]
) -> None:
    index = PromotionIndex(promotions)
    priced = index.price(cart, usage)
    assert priced.result() == index.evaluate(cart, usage)
    assert response_from_priced(priced) == response_from_result(priced.result(), cart.currency)


@given(amount=st.integers(1, 100_000), cart=carts())
def test_an_order_amount_is_spread_so_the_parts_sum_exactly(amount: int, cart: Cart) -> None:
    offer = PromotionVersion(
        promotion_id="O",
        version=1,
        name="order",
        window=OPEN,
        mechanic=AmountOff(amount=usd(amount), per="order"),
    )
    result = evaluate([offer], cart)
    gross = sum(line.unit_price.amount_minor * line.qty for line in cart.lines)
    assert result.total_discount == usd(min(amount, gross))


@given(reward=st.integers(1, 100_000), threshold=st.integers(1, 20_000), cart=carts())
def test_a_tier_amount_is_spread_so_the_parts_sum_exactly(reward: int, threshold: int, cart: Cart) -> None:
    tiers = SpendThreshold(tiers=[Tier(threshold=usd(threshold), amount_off=usd(reward))])
    offer = PromotionVersion(promotion_id="T", version=1, name="tier", window=OPEN, mechanic=tiers)
    gross = sum(line.unit_price.amount_minor * line.qty for line in cart.lines)
    expected = min(reward, gross) if gross >= threshold else 0
    assert evaluate([offer], cart).total_discount == usd(expected)


@given(first=st.integers(1, 100), second=st.integers(1, 100), price=st.integers(0, 100_000))
def test_stacked_percentages_compound_on_what_is_left(first: int, second: int, price: int) -> None:
    offers = [
        PromotionVersion(
            promotion_id=f"P{n}", version=1, name="p", window=OPEN, mechanic=PercentOff(percent=Decimal(p))
        )
        for n, p in ((1, first), (2, second))
    ]
    line = CartLine(line_id="l1", sku="A", category_id="C1", qty=1, unit_price=usd(price))
    result = evaluate(offers, Cart(channel="store", instant=NOW, currency="USD", lines=[line]))

    def half_up(value: Decimal) -> int:
        return int(value.quantize(Decimal(1), rounding="ROUND_HALF_UP"))

    after_first = price - half_up(Decimal(price) * first / 100)
    expected_net = after_first - half_up(Decimal(after_first) * second / 100)
    assert result.lines[0].net == usd(expected_net)


@st.composite
def larger_carts(draw: st.DrawFn) -> Cart:
    """More lines and units, with recurring prices (ties between units and lines)."""
    prices = st.sampled_from([0, 1, 2, 3, 7, 99, 100, 101, 333, 1000, 4999]) | st.integers(0, 5000)
    specs = draw(
        st.lists(
            st.tuples(st.sampled_from(SKUS), st.sampled_from(CATEGORIES), st.integers(1, 6), prices),
            max_size=10,
        )
    )
    lines = [
        CartLine(line_id=f"l{index}", sku=sku, category_id=category, qty=qty, unit_price=usd(price))
        for index, (sku, category, qty, price) in enumerate(specs)
    ]
    return Cart(
        channel=draw(st.sampled_from(["store", "web"])),
        instant=NOW,
        currency="USD",
        lines=lines,
        customer_id=draw(st.none() | st.just("c1")),
        coupons=draw(id_sets(["K1", "K2"], 2)),
    )


@settings(max_examples=300)
@given(promotions=promotion_lists(), cart=larger_carts(), usage=usages)
def test_the_fast_paths_give_the_same_result_as_the_plain_definition_on_larger_carts(
    promotions: list[PromotionVersion], cart: Cart, usage: dict[str, CouponUse]
) -> None:
    """The index and the engine's shortcuts (dry trials, skipped trials, adopted trials, the
    per-line fast paths of the mechanics) against the reference run, which takes none of them."""
    expected = naive_evaluate(promotions, cart, usage)
    assert PromotionIndex(promotions).evaluate(cart, usage) == expected
    assert evaluate(promotions, cart, usage) == expected
