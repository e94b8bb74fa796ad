"""Money: an integer number of minor units in an ISO 4217 currency (never a float).

Rounding happens only at the edges (:meth:`Money.from_decimal`) with an explicit rule, and
:meth:`Money.allocate` splits an amount by weights with the largest-remainder method, so an order
discount spread over lines never loses or invents a minor unit.
"""

from __future__ import annotations

import decimal
import enum
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

import msgspec

from canon import currency as iso4217
from canon.errors import CurrencyMismatch, ValidationError


class Rounding(enum.Enum):
    """How a decimal amount is rounded to a whole minor unit."""

    HALF_UP = decimal.ROUND_HALF_UP
    """Ties away from zero (2.345 -> 2.35, -2.345 -> -2.35): the usual retail and tax rule."""
    HALF_EVEN = decimal.ROUND_HALF_EVEN
    """Banker's rounding (2.345 -> 2.34, 2.355 -> 2.36): unbiased over many roundings."""


class Money(msgspec.Struct, frozen=True):
    """An exact amount: ``amount_minor`` minor units (cents for USD) of ``currency``."""

    amount_minor: int
    currency: str

    def __post_init__(self) -> None:
        # Checked on every construction (hot in file parsing), so the common case costs two lookups.
        if type(self.amount_minor) is not int and (
            isinstance(self.amount_minor, bool) or not isinstance(self.amount_minor, int)
        ):
            raise ValidationError(
                "amount_minor", f"must be an integer of minor units, got {type(self.amount_minor).__name__}"
            )
        if self.currency not in iso4217.MINOR_UNIT_EXPONENTS:
            iso4217.exponent(self.currency)  # raises, naming the field

    # -- construction -------------------------------------------------------------------------
    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    @classmethod
    def from_decimal(
        cls, value: Decimal | str | int, currency: str, rounding: Rounding = Rounding.HALF_UP
    ) -> Money:
        """Major units (e.g. ``"12.345"`` USD) to minor units, rounding by ``rounding``.

        Floats are refused: a float such as 0.1 is already not the amount the source meant.
        """
        places = iso4217.exponent(currency)
        amount = _to_decimal(value)
        if amount.is_finite() and amount.as_tuple().exponent >= -places:  # type: ignore[operator]
            return cls(int(amount.scaleb(places)), currency)  # exact already: nothing to round
        with decimal.localcontext() as context:
            # Exact scaling (enough digits for the whole coefficient), then one rounding step.
            context.prec = max(28, len(amount.as_tuple().digits) + places + 2)
            minor = amount.scaleb(places).to_integral_value(rounding=rounding.value)
        return cls(int(minor), currency)

    def to_decimal(self) -> Decimal:
        """The amount in major units, exactly (``Money(1234, "USD")`` -> ``Decimal("12.34")``)."""
        return Decimal(f"{self.amount_minor}e-{iso4217.exponent(self.currency)}")

    def __str__(self) -> str:
        return f"{self.to_decimal():f} {self.currency}"

    # -- arithmetic ---------------------------------------------------------------------------
    def _same_currency(self, other: Money, operation: str) -> None:
        if other.currency != self.currency:
            raise CurrencyMismatch(f"cannot {operation} {self.currency} and {other.currency}")

    def __add__(self, other: object) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other, "add")
        return Money(self.amount_minor + other.amount_minor, self.currency)

    def __sub__(self, other: object) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other, "subtract")
        return Money(self.amount_minor - other.amount_minor, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount_minor, self.currency)

    def __abs__(self) -> Money:
        return Money(abs(self.amount_minor), self.currency)

    def __mul__(self, factor: object) -> Money:
        """Multiply by a whole number (quantity); fractional factors go through from_decimal."""
        if isinstance(factor, bool) or not isinstance(factor, int):
            return NotImplemented
        return Money(self.amount_minor * factor, self.currency)

    __rmul__ = __mul__

    def is_zero(self) -> bool:
        return self.amount_minor == 0

    def is_negative(self) -> bool:
        return self.amount_minor < 0

    # -- ordering (same currency only) --------------------------------------------------------
    def _compare_key(self, other: object, operation: str) -> tuple[int, int] | None:
        if not isinstance(other, Money):
            return None
        self._same_currency(other, operation)
        return self.amount_minor, other.amount_minor

    def __lt__(self, other: object) -> bool:
        pair = self._compare_key(other, "compare")
        return NotImplemented if pair is None else pair[0] < pair[1]

    def __le__(self, other: object) -> bool:
        pair = self._compare_key(other, "compare")
        return NotImplemented if pair is None else pair[0] <= pair[1]

    def __gt__(self, other: object) -> bool:
        pair = self._compare_key(other, "compare")
        return NotImplemented if pair is None else pair[0] > pair[1]

    def __ge__(self, other: object) -> bool:
        pair = self._compare_key(other, "compare")
        return NotImplemented if pair is None else pair[0] >= pair[1]

    # -- allocation ---------------------------------------------------------------------------
    def allocate(self, weights: Sequence[int]) -> list[Money]:
        """Split into ``len(weights)`` parts proportional to ``weights`` that sum exactly to self.

        Each part is the exact share rounded towards zero; the minor units left over go one each
        to the parts with the largest remainders, ties to the lower index. A negative amount is
        split like its absolute value and negated, so ``(-m).allocate(w) == [-p for p in
        m.allocate(w)]``. Weights are non-negative integers (e.g. line amounts in minor units);
        a zero weight gets zero.
        """
        _check_weights(weights)
        total_weight = sum(weights)
        sign = -1 if self.amount_minor < 0 else 1
        magnitude = abs(self.amount_minor)
        shares = [divmod(magnitude * weight, total_weight) for weight in weights]
        leftover = magnitude - sum(quotient for quotient, _ in shares)
        by_remainder = sorted(range(len(weights)), key=lambda index: (-shares[index][1], index))
        extra = set(by_remainder[:leftover])
        return [
            Money(sign * (quotient + (1 if index in extra else 0)), self.currency)
            for index, (quotient, _) in enumerate(shares)
        ]


def sum_money(items: Iterable[Money], currency: str) -> Money:
    """Total of ``items``, all in ``currency`` (zero if empty); CurrencyMismatch otherwise."""
    total = Money.zero(currency)
    for item in items:
        total = total + item
    return total


def _check_weights(weights: Sequence[Any]) -> None:
    if len(weights) == 0:
        raise ValidationError("weights", "at least one weight is needed")
    for index, weight in enumerate(weights):
        if isinstance(weight, bool) or not isinstance(weight, int):
            raise ValidationError("weights", f"weight {index} must be an integer, got {weight!r}")
        if weight < 0:
            raise ValidationError("weights", f"weight {index} is negative ({weight})")
    if sum(weights) == 0:
        raise ValidationError("weights", "all weights are zero: nothing to allocate by")


def _to_decimal(value: Decimal | str | int) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | str | int):
        raise ValidationError("amount", f"expected Decimal, str or int, got {type(value).__name__}")
    try:
        amount = Decimal(value.strip()) if isinstance(value, str) else Decimal(value)
    except decimal.InvalidOperation:
        raise ValidationError("amount", f"not a decimal number: {value!r}") from None
    if not amount.is_finite():
        raise ValidationError("amount", f"not a finite number: {value!r}")
    return amount
