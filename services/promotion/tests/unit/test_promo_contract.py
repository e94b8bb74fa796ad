"""The published contract (canon.promotion.PromotionDocument) describes exactly what the domain encodes."""

from datetime import UTC, datetime
from decimal import Decimal

import msgspec
import pytest
from canon.money import Money
from canon.promotion import PromotionDocument
from promotion.domain import (
    AmountOff,
    BundleComponent,
    BundlePrice,
    BuyXGetY,
    CouponRequirement,
    FixedPrice,
    Funding,
    ItemSet,
    PercentOff,
    PromotionVersion,
    RegionalWindow,
    Scope,
    SpendThreshold,
    Tier,
    Window,
    encode_promotion_version,
)
from promotion.domain.mechanics import Mechanic

USD = "USD"
MECHANICS: list[Mechanic] = [
    PercentOff(percent=Decimal("12.5")),
    AmountOff(amount=Money(100, USD), per="order"),
    FixedPrice(price=Money(499, USD)),
    BuyXGetY(buy_qty=2, get_qty=1, get_percent_off=Decimal(50), get_set=ItemSet(skus=frozenset({"B"}))),
    BundlePrice(
        components=[BundleComponent(items=ItemSet(categories=frozenset({"C"})), qty=2)], price=Money(900, USD)
    ),
    SpendThreshold(tiers=[Tier(threshold=Money(5000, USD), amount_off=Money(500, USD))]),
]


@pytest.mark.parametrize("mechanic", MECHANICS, ids=lambda m: type(m).__name__)
def test_every_mechanic_round_trips_through_the_contract(mechanic: Mechanic) -> None:
    version = PromotionVersion(
        promotion_id="P",
        version=3,
        name="P",
        window=Window(
            start=datetime(2025, 3, 1, tzinfo=UTC),
            end=datetime(2025, 3, 8, tzinfo=UTC),
            regional_windows={
                "TX": RegionalWindow(
                    local_start=datetime(2025, 3, 1, 8),
                    local_end=datetime(2025, 3, 7, 22),
                    timezone="America/Chicago",
                )
            },
        ),
        mechanic=mechanic,
        scope=Scope(items=frozenset({"A", "B"}), regions=frozenset({"TX"})),
        coupon=CouponRequirement(codes=frozenset({"X1"}), multi_use=True, total_limit=5),
        funding=Funding(source="vendor", vendor_id="V1", share_pct=Decimal(40)),
    )
    encoded = encode_promotion_version(version)
    document = msgspec.json.decode(encoded, type=PromotionDocument, strict=True)
    assert msgspec.json.encode(document, order="sorted") == encoded
