"""Properties of Money: allocation never loses or invents a minor unit."""

from fractions import Fraction

import pytest
from canon.currency import MINOR_UNIT_EXPONENTS
from canon.errors import CurrencyMismatch
from canon.money import Money, sum_money
from hypothesis import given
from hypothesis import strategies as st

currencies = st.sampled_from(sorted(MINOR_UNIT_EXPONENTS))
amounts = st.integers(min_value=-(10**15), max_value=10**15)
weights = st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=30).filter(any)


@given(amount=amounts, currency=currencies, weights=weights)
def test_allocation_sums_exactly_to_the_whole(amount: int, currency: str, weights: list[int]) -> None:
    parts = Money(amount, currency).allocate(weights)
    assert len(parts) == len(weights)
    assert sum_money(parts, currency) == Money(amount, currency)


@given(amount=amounts, weights=weights)
def test_each_part_is_within_one_minor_unit_of_its_exact_share(amount: int, weights: list[int]) -> None:
    parts = Money(amount, "USD").allocate(weights)
    total_weight = sum(weights)
    for part, weight in zip(parts, weights, strict=True):
        exact_share = Fraction(amount * weight, total_weight)
        assert abs(part.amount_minor - exact_share) < 1
        if weight == 0:
            assert part.amount_minor == 0


@given(amount=amounts, weights=weights)
def test_allocating_a_negative_amount_is_the_mirror_image(amount: int, weights: list[int]) -> None:
    positive = Money(amount, "EUR").allocate(weights)
    negative = Money(-amount, "EUR").allocate(weights)
    assert negative == [-part for part in positive]


@given(
    left=amounts,
    right=amounts,
    pair=st.lists(currencies, min_size=2, max_size=2, unique=True),
)
def test_mixing_currencies_always_raises(left: int, right: int, pair: list[str]) -> None:
    a, b = Money(left, pair[0]), Money(right, pair[1])
    for operation in (lambda: a + b, lambda: a - b, lambda: a < b, lambda: a >= b):
        with pytest.raises(CurrencyMismatch):
            operation()


@given(amount=amounts, currency=currencies)
def test_decimal_round_trip_is_exact(amount: int, currency: str) -> None:
    money = Money(amount, currency)
    assert Money.from_decimal(money.to_decimal(), currency) == money
    assert Money.from_decimal(str(money).split()[0], currency) == money
