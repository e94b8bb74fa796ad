"""Small validators for promotion value objects; each raises ValidationError(field, reason)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, get_args

from canon.errors import ValidationError
from canon.money import Money


def identifier(field: str, value: object) -> str:
    """A non-blank business key without surrounding whitespace."""
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(field, "must be a non-empty string")
    if value != value.strip():
        raise ValidationError(field, f"must not have surrounding whitespace: {value!r}")
    return value


def identifiers(field: str, values: Iterable[object]) -> None:
    for value in sorted(values, key=str):
        identifier(f"{field}[{value!r}]", value)


def text(field: str, value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(field, "must be a non-empty string")


def one_of(field: str, value: object, literal: Any) -> None:
    """``value`` is a member of a ``Literal[...]`` (msgspec checks literals only when decoding)."""
    allowed = get_args(literal)
    if value not in allowed:
        raise ValidationError(field, f"must be one of {', '.join(map(repr, allowed))}, got {value!r}")


def integer(field: str, value: object, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(field, f"must be an integer, got {type(value).__name__}")
    if value < minimum:
        raise ValidationError(field, f"must be >= {minimum}, got {value}")


def optional_integer(field: str, value: object, minimum: int) -> None:
    if value is not None:
        integer(field, value, minimum)


def percent(field: str, value: object) -> Decimal:
    """A percentage in (0, 100]: 100 means the whole amount (free)."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise ValidationError(field, f"must be a Decimal, got {type(value).__name__}")
    number = Decimal(value)
    if not number.is_finite() or not Decimal(0) < number <= Decimal(100):
        raise ValidationError(field, f"must be in (0, 100], got {value}")
    return number


def money(field: str, value: object, *, positive: bool = False) -> Money:
    if not isinstance(value, Money):
        raise ValidationError(field, f"must be Money, got {type(value).__name__}")
    if value.amount_minor < 0 or (positive and value.amount_minor == 0):
        raise ValidationError(field, f"must be {'above' if positive else 'at least'} zero, got {value}")
    return value


def utc_instant(field: str, value: object) -> datetime:
    if not isinstance(value, datetime):
        raise ValidationError(field, f"must be a datetime, got {type(value).__name__}")
    if value.utcoffset() is None:
        raise ValidationError(field, "must be timezone-aware (UTC)")
    if value.utcoffset() != timedelta(0):
        raise ValidationError(field, f"must be in UTC, got offset {value.utcoffset()}")
    return value
