"""Field checks for inventory values; each failure is a ValidationError naming the field."""

from __future__ import annotations

from datetime import datetime, timedelta

from canon.errors import ValidationError


def identifier(field: str, value: object) -> None:
    """A business key: a non-blank string without surrounding whitespace."""
    if not isinstance(value, str) or not value.strip() or value != value.strip():
        raise ValidationError(field, f"must be a non-empty identifier, got {value!r}")


def optional_identifier(field: str, value: object) -> None:
    if value is not None:
        identifier(field, value)


def quantity(field: str, value: object, *, minimum: int) -> None:
    """Whole units of the item's unit of measure, at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(field, f"must be an integer quantity, got {type(value).__name__}")
    if value < minimum:
        raise ValidationError(field, f"must be >= {minimum}, got {value}")


def utc_instant(field: str, value: object) -> None:
    if not isinstance(value, datetime):
        raise ValidationError(field, f"expected a datetime, got {type(value).__name__}")
    if value.utcoffset() != timedelta(0):
        raise ValidationError(field, "must be a timezone-aware UTC instant")
