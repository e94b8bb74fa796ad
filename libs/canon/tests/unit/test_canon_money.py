from decimal import Decimal

import pytest
from canon.currency import exponent, normalize
from canon.errors import CurrencyMismatch, ValidationError
from canon.money import Money, Rounding, sum_money


def usd(cents: int) -> Money:
    return Money(cents, "USD")


@pytest.mark.parametrize(
    ("code", "places"),
    [("USD", 2), ("EUR", 2), ("GBP", 2), ("JPY", 0), ("KRW", 0), ("KWD", 3), ("BHD", 3), ("CLF", 4)],
)
def test_exponent_follows_iso_4217(code: str, places: int) -> None:
    assert exponent(code) == places


@pytest.mark.parametrize("code", ["usd", "XXX", "XAU", "", "US"])
def test_unknown_currency_code_names_the_currency_field(code: str) -> None:
    with pytest.raises(ValidationError) as raised:
        exponent(code)
    assert raised.value.field == "currency"
    assert str(raised.value).startswith("currency: ")


def test_normalize_upper_cases_codes_from_processors() -> None:
    assert normalize(" usd ") == "USD"
    with pytest.raises(ValidationError, match="unknown"):
        normalize("abc")


def test_money_rejects_unknown_currency_and_non_integer_amounts() -> None:
    with pytest.raises(ValidationError) as raised:
        Money(100, "ABC")
    assert raised.value.field == "currency"
    for bad_amount in (1.5, True, "100", Decimal("1")):
        with pytest.raises(ValidationError) as raised:
            Money(bad_amount, "USD")  # type: ignore[arg-type]
        assert raised.value.field == "amount_minor"


def test_arithmetic_in_one_currency() -> None:
    assert usd(150) + usd(25) == usd(175)
    assert usd(150) - usd(175) == usd(-25)
    assert -usd(150) == usd(-150)
    assert usd(150) * 3 == usd(450)
    assert 3 * usd(150) == usd(450)
    assert abs(usd(-7)) == usd(7)
    assert usd(0).is_zero()
    assert not usd(1).is_zero()
    assert Money.zero("JPY") == Money(0, "JPY")


def test_multiplying_by_a_fraction_or_bool_is_refused() -> None:
    with pytest.raises(TypeError):
        usd(100) * 1.5  # type: ignore[operator]
    with pytest.raises(TypeError):
        usd(100) * True  # type: ignore[operator]


def test_mixing_currencies_raises() -> None:
    with pytest.raises(CurrencyMismatch):
        usd(1) + Money(1, "EUR")
    with pytest.raises(CurrencyMismatch):
        usd(1) - Money(1, "EUR")
    with pytest.raises(CurrencyMismatch):
        _ = usd(1) < Money(2, "EUR")
    assert usd(1) != Money(1, "EUR")


def test_comparisons() -> None:
    assert usd(1) < usd(2) <= usd(2) < usd(3)
    assert usd(3) > usd(2) >= usd(2)
    assert sorted([usd(3), usd(-1), usd(2)]) == [usd(-1), usd(2), usd(3)]


@pytest.mark.parametrize(
    ("value", "currency", "rounding", "minor"),
    [
        ("12.34", "USD", Rounding.HALF_UP, 1234),
        ("2.345", "USD", Rounding.HALF_UP, 235),
        ("2.345", "USD", Rounding.HALF_EVEN, 234),
        ("2.355", "USD", Rounding.HALF_EVEN, 236),
        ("-2.345", "USD", Rounding.HALF_UP, -235),
        ("-2.345", "USD", Rounding.HALF_EVEN, -234),
        (Decimal("1234.5"), "JPY", Rounding.HALF_UP, 1235),
        ("1.0005", "KWD", Rounding.HALF_UP, 1001),
        (7, "USD", Rounding.HALF_UP, 700),
        ("0.004" + "9" * 40, "USD", Rounding.HALF_UP, 0),
    ],
)
def test_from_decimal_rounds_once_by_the_given_rule(
    value: Decimal | str | int, currency: str, rounding: Rounding, minor: int
) -> None:
    assert Money.from_decimal(value, currency, rounding) == Money(minor, currency)


@pytest.mark.parametrize("value", [1.1, "abc", "NaN", "Infinity", True, None])
def test_from_decimal_refuses_floats_and_non_numbers(value: object) -> None:
    with pytest.raises(ValidationError) as raised:
        Money.from_decimal(value, "USD")  # type: ignore[arg-type]
    assert raised.value.field == "amount"


def test_to_decimal_and_str_are_exact() -> None:
    assert usd(1234).to_decimal() == Decimal("12.34")
    assert str(usd(1234)) == "12.34 USD"
    assert str(usd(-5)) == "-0.05 USD"
    assert str(Money(0, "KWD")) == "0.000 KWD"
    assert str(Money(1500, "JPY")) == "1500 JPY"
    assert str(Money(10**30, "USD")) == "10000000000000000000000000000.00 USD"


def test_sum_money() -> None:
    assert sum_money([usd(1), usd(2), usd(3)], "USD") == usd(6)
    assert sum_money([], "EUR") == Money(0, "EUR")
    with pytest.raises(CurrencyMismatch):
        sum_money([usd(1), Money(1, "EUR")], "USD")


def test_allocate_by_largest_remainder() -> None:
    assert usd(100).allocate([1, 1, 1]) == [usd(34), usd(33), usd(33)]
    assert usd(1000).allocate([3000, 2000, 5000]) == [usd(300), usd(200), usd(500)]
    assert usd(5).allocate([1, 2]) == [usd(2), usd(3)]  # 1.67 and 3.33: the larger remainder wins
    assert usd(2).allocate([1, 1, 1]) == [usd(1), usd(1), usd(0)]  # ties to the lower index


def test_allocate_negative_amount_mirrors_the_positive_split() -> None:
    assert usd(-100).allocate([1, 1, 1]) == [usd(-34), usd(-33), usd(-33)]


def test_allocate_gives_zero_weights_nothing() -> None:
    assert usd(100).allocate([0, 1, 0, 2]) == [usd(0), usd(33), usd(0), usd(67)]


@pytest.mark.parametrize("weights", [[], [0, 0], [1, -1], [1.5], [True]])
def test_allocate_refuses_bad_weights(weights: list[int]) -> None:
    with pytest.raises(ValidationError) as raised:
        usd(100).allocate(weights)
    assert raised.value.field == "weights"


def test_money_round_trips_through_json() -> None:
    import msgspec

    encoded = msgspec.json.encode(usd(1234))
    assert encoded == b'{"amount_minor":1234,"currency":"USD"}'
    assert msgspec.json.decode(encoded, type=Money) == usd(1234)
    with pytest.raises(msgspec.ValidationError, match="currency"):
        msgspec.json.decode(b'{"amount_minor":1,"currency":"ABC"}', type=Money)
