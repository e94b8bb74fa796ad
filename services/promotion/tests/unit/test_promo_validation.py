"""Promotion versions validate on construction, and each error names the field at fault."""

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from canon.money import Money
from promotion.domain import (
    BundleComponent,
    BundlePrice,
    BuyXGetY,
    Cart,
    CartLine,
    CouponRequirement,
    Funding,
    ItemSet,
    PercentOff,
    PromotionVersion,
    RegionalWindow,
    Scope,
    SpendThreshold,
    Tier,
    ValidationError,
    Window,
    decode_promotion_version,
    encode_promotion_version,
)

START = datetime(2025, 3, 1, tzinfo=UTC)
END = datetime(2025, 3, 8, tzinfo=UTC)


def version(**changes: object) -> PromotionVersion:
    fields: dict[str, object] = {
        "promotion_id": "P1",
        "version": 1,
        "name": "Spring 10%",
        "window": Window(start=START, end=END),
        "mechanic": PercentOff(percent=Decimal(10)),
    }
    fields.update(changes)
    return PromotionVersion(**fields)  # type: ignore[arg-type]


def test_window_ending_before_it_starts_names_window_end() -> None:
    with pytest.raises(ValidationError) as error:
        Window(start=END, end=START)
    assert (error.value.field, error.value.reason) == ("window.end", "ends before it starts")


def test_window_ending_when_it_starts_is_refused() -> None:
    with pytest.raises(ValidationError) as error:
        Window(start=START, end=START)
    assert error.value.field == "window.end"


def test_window_instants_must_be_utc() -> None:
    with pytest.raises(ValidationError) as error:
        Window(start=datetime(2025, 3, 1, tzinfo=timezone(timedelta(hours=2))), end=END)
    assert error.value.field == "window.start"
    with pytest.raises(ValidationError) as naive:
        Window(start=START, end=datetime(2025, 3, 8))
    assert (naive.value.field, naive.value.reason) == ("window.end", "must be timezone-aware (UTC)")


@pytest.mark.parametrize("percent", [Decimal(101), Decimal(0), Decimal("-5"), Decimal("100.01")])
def test_percent_outside_0_to_100_names_mechanic_percent(percent: Decimal) -> None:
    with pytest.raises(ValidationError) as error:
        PercentOff(percent=percent)
    assert error.value.field == "mechanic.percent"
    assert error.value.reason == f"must be in (0, 100], got {percent}"


def test_a_hundred_percent_is_allowed() -> None:
    assert PercentOff(percent=Decimal(100)).percent == Decimal(100)


def test_unknown_mechanic_kind_is_refused_when_decoding() -> None:
    data = encode_promotion_version(version()).replace(b'"percent_off"', b'"mystery"')
    with pytest.raises(ValidationError) as error:
        decode_promotion_version(data)
    assert (error.value.field, error.value.reason) == ("mechanic.kind", "unknown mechanic 'mystery'")


def test_decoding_a_bad_value_reports_the_value_objects_own_field() -> None:
    data = encode_promotion_version(version()).replace(b'"percent":"10"', b'"percent":"150"')
    with pytest.raises(ValidationError) as error:
        decode_promotion_version(data)
    assert (error.value.field, error.value.reason) == ("mechanic.percent", "must be in (0, 100], got 150")


def test_a_version_round_trips_through_canonical_json() -> None:
    original = version(
        scope=Scope(items=frozenset({"B", "A"})), coupon=CouponRequirement(codes=frozenset({"X"}))
    )
    assert decode_promotion_version(encode_promotion_version(original)) == original


def test_something_that_is_not_a_mechanic_is_refused() -> None:
    with pytest.raises(ValidationError) as error:
        version(mechanic=Window(start=START, end=END))
    assert (error.value.field, error.value.reason) == ("mechanic", "unknown mechanic Window")


def test_regional_window_in_an_unknown_zone_names_the_timezone() -> None:
    with pytest.raises(ValidationError) as error:
        RegionalWindow(
            local_start=datetime(2025, 3, 1, 8), local_end=datetime(2025, 3, 1, 22), timezone="Mars/Base"
        )
    assert (error.value.field, error.value.reason) == (
        "window.regional_windows[].timezone",
        "unknown IANA time zone 'Mars/Base'",
    )


def test_regional_window_for_a_region_out_of_scope_is_refused() -> None:
    regional = RegionalWindow(
        local_start=datetime(2025, 3, 1, 8), local_end=datetime(2025, 3, 7, 22), timezone="America/Chicago"
    )
    with pytest.raises(ValidationError) as error:
        version(
            window=Window(start=START, end=END, regional_windows={"US-TX": regional}),
            scope=Scope(regions=frozenset({"US-IL"})),
        )
    assert (error.value.field, error.value.reason) == (
        "window.regional_windows[US-TX]",
        "region is not in scope.regions",
    )


def test_regional_window_resolves_store_local_time_to_an_instant() -> None:
    regional = RegionalWindow(
        local_start=datetime(2025, 3, 1, 8), local_end=datetime(2025, 3, 10, 8), timezone="America/Chicago"
    )
    window = Window(start=START, end=END, regional_windows={"US-IL": regional})
    # 08:00 CST is 14:00 UTC; after the DST change on 9 March, 08:00 CDT is 13:00 UTC.
    assert window.bounds_for("US-IL") == (
        datetime(2025, 3, 1, 14, tzinfo=UTC),
        datetime(2025, 3, 10, 13, tzinfo=UTC),
    )
    assert window.bounds_for("US-CA") == (START, END)
    assert not window.is_open_at(datetime(2025, 3, 1, 13, 59, tzinfo=UTC), "US-IL")
    assert window.is_open_at(datetime(2025, 3, 1, 14, tzinfo=UTC), "US-IL")
    assert not window.is_open_at(END, "US-CA")


def test_vendor_funding_needs_a_vendor_and_a_share() -> None:
    with pytest.raises(ValidationError) as error:
        Funding(source="vendor", share_pct=Decimal(50))
    assert error.value.field == "funding.vendor_id"
    with pytest.raises(ValidationError) as share:
        Funding(source="vendor", vendor_id="V1", share_pct=Decimal(0))
    assert share.value.field == "funding.share_pct"
    with pytest.raises(ValidationError) as retailer:
        Funding(source="retailer", vendor_id="V1")
    assert retailer.value.field == "funding.vendor_id"


def test_tiers_must_rise() -> None:
    tiers = [
        Tier(threshold=Money(5000, "USD"), amount_off=Money(500, "USD")),
        Tier(threshold=Money(5000, "USD"), percent_off=Decimal(15)),
    ]
    with pytest.raises(ValidationError) as error:
        SpendThreshold(tiers=tiers)
    assert (error.value.field, error.value.reason) == (
        "mechanic.tiers[1].threshold",
        "must be above the tier before",
    )


def test_a_tier_has_exactly_one_reward() -> None:
    with pytest.raises(ValidationError) as error:
        Tier(threshold=Money(5000, "USD"), amount_off=Money(500, "USD"), percent_off=Decimal(5))
    assert error.value.field == "mechanic.tiers[]"


def test_buy_x_get_y_needs_positive_quantities() -> None:
    with pytest.raises(ValidationError) as error:
        BuyXGetY(buy_qty=0, get_qty=1)
    assert error.value.field == "mechanic.buy_qty"


def test_bundle_component_must_name_items() -> None:
    with pytest.raises(ValidationError) as error:
        BundlePrice(components=[BundleComponent(items=ItemSet(), qty=1)], price=Money(100, "USD"))
    assert error.value.field == "mechanic.components[].items"


def test_coupon_requirement_needs_a_code() -> None:
    with pytest.raises(ValidationError) as error:
        CouponRequirement(codes=frozenset())
    assert error.value.field == "coupon.codes"


def test_version_numbers_start_at_one() -> None:
    with pytest.raises(ValidationError) as error:
        version(version=0)
    assert error.value.field == "version"


def test_cart_refuses_duplicate_line_ids_and_foreign_prices() -> None:
    line = CartLine(line_id="l1", sku="A", category_id="C", qty=1, unit_price=Money(100, "USD"))
    with pytest.raises(ValidationError) as duplicate:
        Cart(channel="store", instant=START, currency="USD", lines=[line, line])
    assert duplicate.value.field == "lines[1].line_id"
    with pytest.raises(ValidationError) as foreign:
        Cart(channel="store", instant=START, currency="EUR", lines=[line])
    assert foreign.value.field == "lines[0].unit_price"
    with pytest.raises(ValidationError) as qty:
        CartLine(line_id="l1", sku="A", category_id="C", qty=0, unit_price=Money(100, "USD"))
    assert qty.value.field == "qty"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"line_id": ""}, "line_id"),
        ({"line_id": " l1"}, "line_id"),
        ({"sku": "A "}, "sku"),
        ({"sku": "   "}, "sku"),
        ({"category_id": "\tC"}, "category_id"),
        ({"qty": 0}, "qty"),
        ({"qty": True}, "qty"),
        ({"unit_price": Money(-1, "USD")}, "unit_price"),
        ({"unit_price": 100}, "unit_price"),
        ({"sku": 7}, "sku"),
    ],
)
def test_each_bad_cart_line_value_names_its_field(changes: dict[str, object], field: str) -> None:
    values: dict[str, object] = {
        "line_id": "l1",
        "sku": "A",
        "category_id": "C",
        "qty": 2,
        "unit_price": Money(100, "USD"),
        **changes,
    }
    with pytest.raises(ValidationError) as error:
        CartLine(**values)  # type: ignore[arg-type]
    assert error.value.field == field


def test_a_free_line_is_valid() -> None:
    assert CartLine(line_id="l1", sku="A", category_id="C", qty=1, unit_price=Money(0, "USD")).qty == 1
