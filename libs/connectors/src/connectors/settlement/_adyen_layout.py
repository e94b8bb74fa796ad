"""The Adyen settlement details report's layout: record types, fee columns, required columns, times.

Shared by the general row reader (`adyen.py`) and the columnar fast path (`_adyen_columns.py`), so
both read a file the same way.
"""

from __future__ import annotations

import re
from datetime import datetime

from canon.settlement import RecordType

from connectors.settlement._zones import localize

RECORD_TYPES: dict[str, RecordType] = {
    "Settled": "payment",
    "SettledBulk": "payment",
    "SettledInInstallments": "payment",
    "SettledExternallyWithInfo": "payment",
    "Refunded": "refund",
    "RefundedBulk": "refund",
    "RefundedExternally": "refund",
    "RefundedInInstallments": "refund",
    "Chargeback": "chargeback",
    "ChargebackExternally": "chargeback",
    "SecondChargeback": "chargeback",
    "ChargebackReversed": "chargeback_reversal",
    "ChargebackReversedExternally": "chargeback_reversal",
    "Fee": "fee",
    "MiscCosts": "fee",
    "PaymentCost": "fee",
    "InvoiceDeduction": "fee",
    "MerchantPayout": "payout",
    "DepositCorrection": "adjustment",
    "Balancetransfer": "adjustment",
    "RefundedReversed": "adjustment",
    "ReserveAdjustment": "reserve",
    "AdvancementCommission": "commission",
}

# (column, fee_breakdown key): Adyen's fee components, all in the net currency.
FEE_COLUMNS = (
    ("Commission (NC)", "commission"),
    ("Markup (NC)", "markup"),
    ("Scheme Fees (NC)", "scheme_fee"),
    ("Interchange (NC)", "interchange"),
    ("Payment Fees (NC)", "payment_fee"),
    ("DCC Markup (NC)", "dcc_markup"),
)
REQUIRED = ["Type", "Creation Date", "TimeZone", "Batch Number", "Net Currency", "Psp Reference"]


_WALL_CLOCK = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")


class FieldProblemError(ValueError):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


def booked_at_utc(created: str, zone: str) -> datetime:
    """`Creation Date` (wall clock) in `TimeZone` as a UTC instant; FieldProblemError names the bad field."""
    try:
        if not _WALL_CLOCK.fullmatch(created):
            raise ValueError(created)
        wall_clock = datetime.fromisoformat(created)  # same format as strptime's, many times faster
    except ValueError:
        raise FieldProblemError(
            "Creation Date", f"not a date-time YYYY-MM-DD HH:MM:SS: {created!r}"
        ) from None
    try:
        return localize(wall_clock, zone)
    except ValueError as error:
        raise FieldProblemError("TimeZone", str(error)) from None
