"""Canonical bank statement lines: what the bank says was booked on an account.

camt.053, BAI2 and MT940 statements are translated into these. `amount` is signed from the
account holder's side: a credit (money in) is positive, a debit negative.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

import msgspec

from canon.errors import ValidationError
from canon.money import Money

BankSource = Literal["camt053", "bai2", "mt940"]
BANK_SOURCES: frozenset[str] = frozenset({"camt053", "bai2", "mt940"})


class BankStatementLine(msgspec.Struct, frozen=True, kw_only=True):
    """One booked entry; `raw` keeps the bank's own fields as evidence."""

    source_format: BankSource
    statement_id: str
    account: str
    line_number: int
    booked_on: date
    value_date: date | None
    amount: Money
    reference: str | None
    description: str
    counterparty: str | None = None
    bank_transaction_code: str | None = None
    raw: dict[str, str] = msgspec.field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.source_format not in BANK_SOURCES:
            raise ValidationError("source_format", f"unknown bank format {self.source_format!r}")
        if self.line_number < 1:
            raise ValidationError("line_number", "must be 1 or more")
        if not self.statement_id:
            raise ValidationError("statement_id", "must not be empty")
        if not self.account:
            raise ValidationError("account", "must not be empty")


class BankStatement(msgspec.Struct, frozen=True, kw_only=True):
    """One account's statement: balances as the bank states them (not recomputed) and its lines."""

    source_format: BankSource
    statement_id: str
    account: str
    currency: str
    opening_balance: Money | None
    closing_balance: Money | None
    lines: list[BankStatementLine]

    def __post_init__(self) -> None:
        if self.source_format not in BANK_SOURCES:
            raise ValidationError("source_format", f"unknown bank format {self.source_format!r}")
        if not self.statement_id:
            raise ValidationError("statement_id", "must not be empty")
        if not self.account:
            raise ValidationError("account", "must not be empty")
        for balance_field, balance in (
            ("opening_balance", self.opening_balance),
            ("closing_balance", self.closing_balance),
        ):
            if balance is not None and balance.currency != self.currency:
                raise ValidationError(balance_field, f"currency {balance.currency} is not {self.currency}")
        for line in self.lines:
            if line.statement_id != self.statement_id:
                raise ValidationError("lines", f"line {line.line_number} belongs to {line.statement_id}")
