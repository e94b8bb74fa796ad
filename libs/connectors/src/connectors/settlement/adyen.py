"""Adyen "Settlement details report" (CSV) -> SettlementReport.

Columns are found by header name, so both the classic 30-column layout and the newer, longer one
(Booking Date, Balance Currency, Payment Fees (NC) ...) are read, in any column order. Gross is in
the gross currency (GC), net and fees in the net currency (NC); credits are positive. A Fee-type row
without a breakdown is itself the charge, so its fee is minus its net. Every line
carries its Batch Number as `payout_id`: Adyen pays a batch out as one MerchantPayout transfer.
"""

from __future__ import annotations

import re
from datetime import datetime

from canon.money import Money, sum_money
from canon.settlement import RecordType, SettlementLine, SettlementReport

from connectors._csv import read_table, require_columns
from connectors._parsing import ProblemLog, RowReader, decode_text
from connectors.settlement._zones import localize

_RECORD_TYPES: dict[str, RecordType] = {
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
_FEE_COLUMNS = (
    ("Commission (NC)", "commission"),
    ("Markup (NC)", "markup"),
    ("Scheme Fees (NC)", "scheme_fee"),
    ("Interchange (NC)", "interchange"),
    ("Payment Fees (NC)", "payment_fee"),
    ("DCC Markup (NC)", "dcc_markup"),
)
_REQUIRED = ["Type", "Creation Date", "TimeZone", "Batch Number", "Net Currency", "Psp Reference"]


def parse_adyen(content: bytes, *, filename: str | None = None) -> SettlementReport:
    """Parse a whole settlement details report; ParseError lists every bad row."""
    log = ProblemLog(filename)
    header, rows = read_table(decode_text(content, log), log)
    if not require_columns(header, _REQUIRED, log):
        log.raise_if_any()
    lines = [line for line in (_line(RowReader(log, number, row)) for number, row in rows) if line]
    log.raise_if_any()
    if not lines:
        raise log.fail(1, None, "no settlement rows")
    batches = list(dict.fromkeys(line.report_id for line in lines))
    return SettlementReport(source_format="adyen", report_id="+".join(batches), lines=lines)


def _line(row: RowReader) -> SettlementLine | None:
    raw_type = row.required("Type")
    batch = row.required("Batch Number")
    booked_at = _booked_at(row)
    gross = _signed(row, row.currency("Gross Currency"), "Gross Credit (GC)", "Gross Debit (GC)")
    net_currency = row.currency("Net Currency", required=True)
    net = _signed(row, net_currency, "Net Credit (NC)", "Net Debit (NC)")
    fee_breakdown: dict[str, Money] = {}
    for column, key in _FEE_COLUMNS:
        amount = row.money(column, net_currency)
        if amount is not None and not amount.is_zero():
            fee_breakdown[key] = amount
    if not row.ok or booked_at is None:
        return None
    record_type = _RECORD_TYPES.get(raw_type, "other")
    fee = sum_money(fee_breakdown.values(), net_currency)
    if record_type == "fee" and not fee_breakdown and net is not None:
        fee = -net  # a Fee/InvoiceDeduction row is itself the charge: its net debit is the fee
    reference = row.text("Psp Reference") or row.text("Modification Reference") or f"batch {batch}"
    return SettlementLine(
        source_format="adyen",
        report_id=batch,
        line_number=row.line,
        record_type=record_type,
        raw_type=raw_type,
        processor_reference=reference,
        merchant_reference=row.optional("Merchant Reference"),
        booked_at=booked_at,
        gross=gross,
        net=net,
        fee=fee,
        fee_breakdown=fee_breakdown,
        payout_id=batch,
        exchange_rate=row.optional("Exchange Rate"),
        raw=dict(row.values),
    )


_WALL_CLOCK = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")


def _booked_at(row: RowReader) -> datetime | None:
    created = row.required("Creation Date")
    zone = row.required("TimeZone")
    if not created or not zone:
        return None
    try:
        if not _WALL_CLOCK.fullmatch(created):
            raise ValueError(created)
        wall_clock = datetime.fromisoformat(created)  # same format as strptime's, many times faster
    except ValueError:
        row.fail("Creation Date", f"not a date-time YYYY-MM-DD HH:MM:SS: {created!r}")
        return None
    try:
        return localize(wall_clock, zone)
    except ValueError as error:
        row.fail("TimeZone", str(error))
        return None


def _signed(row: RowReader, currency: str, credit_column: str, debit_column: str) -> Money | None:
    """Credit minus debit, or None when both are blank."""
    credit = row.money(credit_column, currency)
    debit = row.money(debit_column, currency)
    if credit is None and debit is None:
        return None
    return (credit or Money.zero(currency)) - (debit or Money.zero(currency))
