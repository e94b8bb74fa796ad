"""Protobuf <-> domain for EvaluateCart: a bad request names the field at fault, and the response
written straight from the engine's integers is the one built from the EvaluationResult."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from canon.money import Money
from promotion.adapters.grpc.messages import (
    cart_from_request,
    pb2,
    request_from_cart,
    response_from_priced,
    response_from_result,
)
from promotion.domain import (
    Accounting,
    AmountOff,
    BuyXGetY,
    Cart,
    CartLine,
    CouponRequirement,
    Funding,
    PercentOff,
    PromotionIndex,
    PromotionVersion,
    Scope,
    SpendThreshold,
    Stacking,
    Tier,
    ValidationError,
    Window,
)

NOW = datetime(2025, 3, 3, 12, tzinfo=UTC)
OPEN = Window(start=NOW - timedelta(days=1), end=NOW + timedelta(days=1))


def usd(cents: int) -> Money:
    return Money(cents, "USD")


def request(**line_changes: object) -> object:
    lines = [
        pb2.CartLine(line_id="l0", sku="A", category_id="C1", qty=1, unit_price_minor=500),
        pb2.CartLine(
            **{
                "line_id": "l1",
                "sku": "B",
                "category_id": "C2",
                "qty": 2,
                "unit_price_minor": 300,
                **line_changes,
            }
        ),
    ]
    return pb2.EvaluateCartRequest(
        channel="STORES", instant="2025-03-03T12:00:00Z", currency="USD", lines=lines, coupons=["SAVE"]
    )


def test_a_valid_request_becomes_the_cart_it_describes() -> None:
    cart = cart_from_request(request())
    assert cart == Cart(
        channel="STORES",
        instant=NOW,
        currency="USD",
        lines=[
            CartLine(line_id="l0", sku="A", category_id="C1", qty=1, unit_price=usd(500)),
            CartLine(line_id="l1", sku="B", category_id="C2", qty=2, unit_price=usd(300)),
        ],
        coupons=frozenset({"SAVE"}),
    )
    assert cart_from_request(request_from_cart(cart)) == cart


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"sku": ""}, "lines[1].sku"),
        ({"sku": " B"}, "lines[1].sku"),
        ({"line_id": "l1 "}, "lines[1].line_id"),
        ({"category_id": ""}, "lines[1].category_id"),
        ({"qty": 0}, "lines[1].qty"),
        ({"qty": -3}, "lines[1].qty"),
        ({"unit_price_minor": -1}, "lines[1].unit_price"),
        ({"line_id": "l0"}, "lines[1].line_id"),
    ],
)
def test_a_bad_line_names_its_field(changes: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as error:
        cart_from_request(request(**changes))
    assert error.value.field == field


def test_a_bad_instant_or_currency_names_its_field() -> None:
    bad_instant = request()
    bad_instant.instant = "yesterday"  # type: ignore[attr-defined]
    with pytest.raises(ValidationError) as instant:
        cart_from_request(bad_instant)
    assert instant.value.field == "instant"
    bad_currency = request()
    bad_currency.currency = "XYZ"  # type: ignore[attr-defined]
    with pytest.raises(ValidationError) as currency:
        cart_from_request(bad_currency)
    assert currency.value.field == "currency"


def promotions() -> list[PromotionVersion]:
    vendor = Funding(source="vendor", vendor_id="V1", share_pct=Decimal("60"))
    markdown = Accounting(gl_discount_account="markdown", reduces_tax_base=True)
    return [
        PromotionVersion(
            promotion_id="P-PCT",
            version=2,
            name="10% on A",
            window=OPEN,
            mechanic=PercentOff(percent=Decimal(10)),
            scope=Scope(items=frozenset({"A"})),
            funding=vendor,
        ),
        PromotionVersion(
            promotion_id="P-BOGO",
            version=1,
            name="B: buy one get one",
            window=OPEN,
            mechanic=BuyXGetY(buy_qty=1, get_qty=1),
            scope=Scope(items=frozenset({"B"})),
            accounting=markdown,
        ),
        PromotionVersion(
            promotion_id="P-ORDER",
            version=1,
            name="1.00 off the order with SAVE",
            window=OPEN,
            mechanic=AmountOff(amount=usd(100), per="order"),
            coupon=CouponRequirement(codes=frozenset({"SAVE"}), multi_use=True),
            stacking=Stacking(priority=900),
        ),
        PromotionVersion(
            promotion_id="P-SPEND",
            version=3,
            name="5% over 20.00",
            window=OPEN,
            mechanic=SpendThreshold(tiers=[Tier(threshold=usd(2000), percent_off=Decimal(5))]),
            stacking=Stacking(priority=950),
        ),
    ]


def test_the_response_from_integers_is_the_response_from_the_result() -> None:
    index = PromotionIndex(promotions())
    cart = cart_from_request(request(line_id="l9"))
    no_offer = Cart(
        channel="STORES",
        instant=NOW,
        currency="USD",
        lines=[CartLine(line_id="x", sku="Z", category_id="CZ", qty=1, unit_price=usd(100))],
    )
    for each in (cart, no_offer):
        priced = index.price(each)
        response = response_from_priced(priced)
        assert response == response_from_result(index.evaluate(each), each.currency)
        assert (
            response.SerializeToString() == response_from_result(priced.result(), "USD").SerializeToString()
        )
    response = response_from_priced(index.price(cart))
    assert [line.line_id for line in response.lines] == ["l0", "l9"]
    assert {a.promotion_id for line in response.lines for a in line.adjustments} == {
        "P-PCT",
        "P-BOGO",
        "P-ORDER",
    }
    funded = next(a for a in response.lines[0].adjustments if a.promotion_id == "P-PCT")
    assert (funded.version, funded.funding.vendor_id, funded.funding.share_pct) == (2, "V1", "60")
    assert [(c.code, c.promotion_id) for c in response.coupons_consumed] == [("SAVE", "P-ORDER")]
