"""Reading loosely typed payload values into canonical ones while collecting every problem."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from canon import currency as iso4217
from canon.errors import ValidationError
from canon.money import Money

from connectors.errors import ParseError, RowProblem

T = TypeVar("T")


class Problems:
    """Collects RowProblems; `raise_if_any` ends the parse with all of them."""

    def __init__(self) -> None:
        self.items: list[RowProblem] = []

    def add(self, line: int, field: str | None, reason: str) -> None:
        self.items.append(RowProblem(line=line, field=field, reason=reason))

    def raise_if_any(self) -> None:
        if self.items:
            raise ParseError(self.items)

    def error(self, field: str | None = None, reason: str = "") -> ParseError:
        """The ParseError to raise now (with a last problem if `reason` is given)."""
        if reason:
            self.add(0, field, reason)
        return ParseError(self.items)

    def build(self, line: int, path: str, factory: Callable[..., T], /, **fields: Any) -> T | None:
        """Call a canonical constructor; its ValidationError becomes a problem at `path`."""
        try:
            return factory(**fields)
        except ValidationError as error:
            self.add(line, f"{path}.{error.field}" if path else error.field, error.reason)
            return None

    def text(self, source: Mapping[str, Any], key: str, line: int, path: str) -> str | None:
        """A required identifier or code; numbers (Shopify ids) are turned into strings."""
        value = source.get(key)
        if isinstance(value, bool) or not isinstance(value, str | int) or str(value).strip() == "":
            self.add(line, path, f"required, got {value!r}")
            return None
        return str(value).strip()

    def money(self, value: Any, currency: str | None, line: int, path: str) -> Money | None:
        """An exact decimal amount; more decimals than the currency has is an error, not a rounding."""
        amount = self.decimal(value, line, path)
        if amount is None or currency is None:
            return None
        money = Money.from_decimal(amount, currency)
        if money.to_decimal() != amount:
            self.add(line, path, f"{value!r} has more decimals than {currency} allows")
            return None
        return money

    def decimal(self, value: Any, line: int, path: str) -> Decimal | None:
        if value is None:
            self.add(line, path, "required, missing")
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
            self.add(line, path, f"expected a decimal amount, got {value!r}")
            return None
        try:
            number = Decimal(value.strip() if isinstance(value, str) else value)
        except InvalidOperation:
            number = Decimal("NaN")
        if not number.is_finite():
            self.add(line, path, f"not a decimal amount: {value!r}")
            return None
        return number

    def currency(self, value: Any, line: int, path: str) -> str | None:
        try:
            return iso4217.normalize(value, path)
        except ValidationError as error:
            self.add(line, path, error.reason)
            return None

    def instant(self, value: Any, line: int, path: str, default_tz: Any = None) -> datetime | None:
        """An ISO 8601 timestamp as a UTC instant; a naive one needs `default_tz`."""
        try:
            moment = datetime.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            moment = None
        if moment is None:
            self.add(line, path, f"not an ISO 8601 timestamp: {value!r}")
            return None
        if moment.tzinfo is None:
            if default_tz is None:
                self.add(line, path, f"{value!r} has no UTC offset and no timezone was given")
                return None
            moment = moment.replace(tzinfo=default_tz)
        return moment


def to_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)
