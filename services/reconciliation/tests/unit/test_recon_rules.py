"""Which settlement amounts are variances of which kind, per processor and marketplace."""

from __future__ import annotations

import pytest
from reconciliation.domain.rules import Tolerances, variance_rule, variance_rule_table


@pytest.mark.parametrize(
    ("processor", "record_type", "expected"),
    [
        ("adyen", "payment", ("processor_fee", "fee")),
        ("adyen", "chargeback", ("processor_fee", "fee")),
        ("adyen", "commission", ("processor_fee", "fee")),
        ("amazon", "commission", ("marketplace_commission", "fee")),
        ("paypal", "currency_conversion", ("currency_conversion", "net")),
        ("amazon", "reserve", ("reserve", "net")),
        ("stripe", "payout", None),
    ],
)
def test_variance_rules(processor: str, record_type: str, expected: tuple[str, str] | None) -> None:
    assert variance_rule(processor, record_type) == expected


def test_the_rule_table_covers_every_processor_and_record_type_but_payouts() -> None:
    table = variance_rule_table()
    assert len(table) == 5 * 10
    assert ("amazon", "commission", "marketplace_commission", "fee") in table


def test_negative_tolerances_are_refused() -> None:
    with pytest.raises(ValueError, match="date_days must not be negative"):
        Tolerances(date_days=-1)
