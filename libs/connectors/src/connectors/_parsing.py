"""Shared helpers for the file parsers: problem collection, text decoding, strict amounts.

Parsers never stop at the first bad row: they record a RowProblem and go on, then raise one
ParseError listing them all. A row with any problem produces no canonical line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import NoReturn

from canon import currency as iso4217
from canon.errors import ValidationError
from canon.money import Money

from connectors.errors import ParseError, RowProblem

_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")


class ProblemLog:
    """Collects the problems of one file; `raise_if_any` turns them into a ParseError."""

    def __init__(self, filename: str | None = None) -> None:
        self.filename = filename
        self.problems: list[RowProblem] = []

    def add(self, line: int, field: str | None, reason: str) -> None:
        self.problems.append(RowProblem(line=line, field=field, reason=reason))

    def raise_if_any(self) -> None:
        if self.problems:
            raise ParseError(self.problems, filename=self.filename)

    def stop(self) -> NoReturn:
        """Raise the ParseError for the problems recorded so far (there must be some)."""
        assert self.problems, "stop() without a recorded problem"
        raise ParseError(self.problems, filename=self.filename)

    def fail(self, line: int, field: str | None, reason: str) -> ParseError:
        """A ParseError for a problem that stops the parse (plus any already recorded)."""
        self.add(line, field, reason)
        return ParseError(self.problems, filename=self.filename)


def decode_text(content: bytes, log: ProblemLog, *, fallback: str | None = None) -> str:
    """UTF-8 (a BOM is dropped); `fallback` is for formats whose banks still send 8-bit code pages."""
    if content.startswith(b"\xef\xbb\xbf"):
        content = content[3:]
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError as error:
        if fallback is None:
            raise log.fail(*_undecodable(content, error, "UTF-8")) from None
        try:
            return content.decode(fallback, errors="strict")
        except UnicodeDecodeError as fallback_error:
            raise log.fail(*_undecodable(content, fallback_error, f"UTF-8 or {fallback}")) from None


def _undecodable(content: bytes, error: UnicodeDecodeError, encodings: str) -> tuple[int, None, str]:
    line = content[: error.start].count(b"\n") + 1
    return line, None, f"not {encodings} text: byte {content[error.start]:#04x}"


def parse_decimal(text: str) -> Decimal:
    """A plain decimal number; anything else (thousand separators, NaN, 1E5) is refused."""
    if not _DECIMAL.fullmatch(text):
        raise ValueError(f"not a decimal: {text!r}")
    return Decimal(text)


def to_money(amount: Decimal, currency: str) -> Money:
    """Exact Money from a decimal: a file amount is never rounded, so 1.005 USD is refused.

    A bad currency or too many decimals becomes a ValueError carrying the reason.
    """
    try:
        places = iso4217.exponent(currency)
    except ValidationError as error:
        raise ValueError(error.reason) from None
    minor = amount.scaleb(places)
    if minor != minor.to_integral_value():
        raise ValueError(f"{amount} has more decimals than {currency} allows")
    return Money(int(minor), currency)


class RowReader:
    """Reads one row's fields by name, recording a problem per bad field instead of raising.

    Getters return None for a blank or bad value; `ok` says whether every field read was good.
    """

    def __init__(self, log: ProblemLog, line: int, values: Mapping[str, str]) -> None:
        self.log = log
        self.line = line
        self.values = values
        self.ok = True
        self.currency_failed = False  # a bad currency was reported: amounts in it are not re-reported

    def fail(self, field: str | None, reason: str) -> None:
        self.ok = False
        self.log.add(self.line, field, reason)

    def text(self, name: str) -> str:
        return (self.values.get(name) or "").strip()

    def optional(self, name: str) -> str | None:
        return self.text(name) or None

    def required(self, name: str) -> str:
        value = self.text(name)
        if not value:
            self.fail(name, "missing value")
        return value

    def currency(self, name: str, *, required: bool = False) -> str:
        """An ISO 4217 code (upper-cased); "" when blank or bad."""
        value = self.required(name) if required else self.text(name)
        if not value:
            self.currency_failed = required
            return ""
        try:
            return iso4217.normalize(value)
        except ValidationError as error:
            self.fail(name, error.reason)
            self.currency_failed = True
            return ""

    def decimal(self, name: str) -> Decimal | None:
        return self.decimal_text(name, self.text(name))

    def decimal_text(self, name: str, value: str) -> Decimal | None:
        """`value` (found elsewhere, e.g. in XML) as a decimal, problems reported under `name`."""
        if not value:
            return None
        try:
            return parse_decimal(value)
        except ValueError as error:
            self.fail(name, str(error))
            return None

    def money(self, name: str, currency: str | None, amount: Decimal | None = None) -> Money | None:
        """The named field (or a given amount) as Money in `currency`; None when blank."""
        if amount is None:
            amount = self.decimal(name)
        if amount is None:
            return None
        if not currency:
            if not self.currency_failed:
                self.fail(name, "amount given without a currency")
            return None
        try:
            return to_money(amount, currency)
        except ValueError as error:
            self.fail(name, str(error))
            return None
