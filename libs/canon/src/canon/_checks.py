"""Small validation helpers shared by canonical types; each raises ValidationError(field, ...)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from canon import currency as iso4217
from canon.errors import ValidationError

_SLUG = re.compile(r"[a-z][a-z0-9_]*")


def text(field: str, value: object) -> str:
    """A non-blank string (names, descriptions)."""
    if not isinstance(value, str):
        raise ValidationError(field, f"expected a string, got {type(value).__name__}")
    if not value.strip():
        raise ValidationError(field, "must not be empty")
    return value


def identifier(field: str, value: object) -> str:
    """A business key: non-empty, no surrounding or embedded control whitespace."""
    checked = text(field, value)
    if checked != checked.strip() or any(char in checked for char in "\t\r\n"):
        raise ValidationError(field, f"must not have surrounding whitespace or line breaks: {checked!r}")
    return checked


def optional_identifier(field: str, value: object) -> None:
    if value is not None:
        identifier(field, value)


def identifiers(field: str, values: Iterable[object]) -> None:
    """A collection of distinct identifiers; the error names the offending index."""
    seen: set[object] = set()
    for index, value in enumerate(values):
        identifier(f"{field}[{index}]", value)
        if value in seen:
            raise ValidationError(f"{field}[{index}]", f"duplicate {value!r}")
        seen.add(value)


def slug(field: str, value: object) -> str:
    """A lower-case token such as an event name or a dimension ("cost_center")."""
    checked = text(field, value)
    if not _SLUG.fullmatch(checked):
        raise ValidationError(field, f"must match [a-z][a-z0-9_]*, got {checked!r}")
    return checked


def one_of(field: str, value: object, literal: Any) -> None:
    """``value`` is one of the values of a ``Literal[...]`` alias (msgspec checks only on decode)."""
    allowed = get_args(literal)
    if value not in allowed:
        raise ValidationError(field, f"must be one of {', '.join(map(repr, allowed))}, got {value!r}")


def currency(field: str, value: object) -> None:
    if not iso4217.is_known(value):
        raise ValidationError(field, f"unknown ISO 4217 currency code {value!r}")


def timezone_name(field: str, value: object) -> None:
    """An IANA time zone name known to zoneinfo (e.g. "America/Chicago")."""
    name = text(field, value)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(field, f"unknown IANA time zone {value!r}") from None


def utc_instant(field: str, value: object) -> None:
    """A timezone-aware datetime at UTC offset zero: canonical instants are UTC."""
    if not isinstance(value, datetime):
        raise ValidationError(field, f"expected a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValidationError(field, "must be timezone-aware (UTC)")
    if value.utcoffset() != timedelta(0):
        raise ValidationError(field, f"must be in UTC, got offset {value.utcoffset()}")


def plain_date(field: str, value: object) -> None:
    """A calendar date, not a datetime (a datetime is a date subclass)."""
    if isinstance(value, datetime) or not isinstance(value, date):
        raise ValidationError(field, f"expected a date, got {type(value).__name__}")


def integer(field: str, value: object, minimum: int | None = None, maximum: int | None = None) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(field, f"expected an integer, got {type(value).__name__}")
    if minimum is not None and value < minimum:
        raise ValidationError(field, f"must be >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValidationError(field, f"must be <= {maximum}, got {value}")


def decimal_string(field: str, value: object) -> Decimal:
    """A finite decimal written as a string ("0.0825"): exact, unlike a JSON float."""
    if not isinstance(value, str):
        raise ValidationError(field, f"expected a decimal string, got {type(value).__name__}")
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ValidationError(field, f"not a decimal number: {value!r}") from None
    if not number.is_finite():
        raise ValidationError(field, f"not a finite number: {value!r}")
    return number
