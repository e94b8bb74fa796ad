"""Canonical settlement lines: what a payment processor or marketplace says it settled.

Every provider file (Adyen, Stripe, PayPal, Braintree, Amazon) is translated into these, so
matching against tenders and bank receipts knows one shape. Amounts are signed from the
merchant's side: money into the merchant's processor balance is positive. `fee` is what the
processor charged on the line, positive when the merchant pays it (a refunded fee is negative),
so for a line in one currency `net == gross - fee`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec

from canon.errors import ValidationError
from canon.money import Money

SettlementSource = Literal["adyen", "stripe", "paypal", "braintree", "amazon"]
SETTLEMENT_SOURCES: frozenset[str] = frozenset({"adyen", "stripe", "paypal", "braintree", "amazon"})

RecordType = Literal[
    "payment",
    "refund",
    "chargeback",
    "chargeback_reversal",
    "fee",
    "payout",
    "adjustment",
    "commission",
    "reserve",
    "currency_conversion",
    "other",
]
RECORD_TYPES: frozenset[str] = frozenset(
    {
        "payment",
        "refund",
        "chargeback",
        "chargeback_reversal",
        "fee",
        "payout",
        "adjustment",
        "commission",
        "reserve",
        "currency_conversion",
        "other",
    }
)


def _require_aware(field: str, value: datetime | None) -> None:
    if value is not None and value.utcoffset() is None:
        raise ValidationError(field, "must be timezone-aware")


class SettlementLine(msgspec.Struct, frozen=True, kw_only=True):
    """One row of a settlement file, normalised; `raw` keeps the provider's own fields as evidence."""

    source_format: SettlementSource
    report_id: str
    line_number: int
    record_type: RecordType
    raw_type: str
    processor_reference: str
    merchant_reference: str | None
    booked_at: datetime
    gross: Money | None
    net: Money | None
    fee: Money
    fee_breakdown: dict[str, Money] = msgspec.field(default_factory=dict)
    payout_id: str | None = None
    exchange_rate: str | None = None
    original: Money | None = None
    raw: dict[str, str] = msgspec.field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.source_format not in SETTLEMENT_SOURCES:
            raise ValidationError("source_format", f"unknown settlement source {self.source_format!r}")
        if self.record_type not in RECORD_TYPES:
            raise ValidationError("record_type", f"unknown record type {self.record_type!r}")
        if self.line_number < 1:
            raise ValidationError("line_number", "must be 1 or more")
        if not self.report_id:
            raise ValidationError("report_id", "must not be empty")
        if not self.processor_reference:
            raise ValidationError("processor_reference", "must not be empty")
        _require_aware("booked_at", self.booked_at)


class SettlementReport(msgspec.Struct, frozen=True, kw_only=True):
    """A whole settlement file: its identity, period, declared totals per currency and its lines."""

    source_format: SettlementSource
    report_id: str
    lines: list[SettlementLine]
    period_start: datetime | None = None
    period_end: datetime | None = None
    totals: dict[str, Money] = msgspec.field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.source_format not in SETTLEMENT_SOURCES:
            raise ValidationError("source_format", f"unknown settlement source {self.source_format!r}")
        if not self.report_id:
            raise ValidationError("report_id", "must not be empty")
        _require_aware("period_start", self.period_start)
        _require_aware("period_end", self.period_end)
        for line in self.lines:
            if line.source_format != self.source_format:
                raise ValidationError("lines", f"line {line.line_number} is from {line.source_format}")
