"""Amazon settlement report, flat file V2 (tab-separated) -> SettlementReport.

Built from Amazon's published column list (no real file was available). The first data row is
the settlement summary (settlement-id, start/end/deposit dates, total-amount, currency); every
other row is one amount of one transaction (transaction-type, amount-type, amount-description,
amount). The amounts must add up to total-amount, which catches a truncated file. Fee rows
(ItemFees, ShipmentFees, ... ) are charges: gross is None, fee is minus the amount. Marketplace
locales write dates as 2019-05-23 or 23.05.2019 and may use a decimal comma; both are read.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from canon.money import Money, sum_money
from canon.settlement import RecordType, SettlementLine, SettlementReport

from connectors._csv import read_table, require_columns
from connectors._parsing import ProblemLog, RowReader, decode_text, parse_decimal, to_money

_REQUIRED = ["settlement-id", "settlement-start-date", "settlement-end-date", "total-amount", "currency"]
_REQUIRED += ["transaction-type", "order-id", "amount-type", "amount-description", "amount", "posted-date"]
_FEE_AMOUNT_TYPES = {"ItemFees", "ShipmentFees", "OrderFees", "FBA Inventory Reimbursement Fee"}
_FEE_TRANSACTIONS = {"ServiceFee", "Subscription Fee", "CouponRedemptionFee", "Lightning Deal Fee"}
_ADJUSTMENTS = {"Adjustment", "other-transaction", "Order_Retrocharge", "Refund_Retrocharge", "Liquidations"}
_DATE_TIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S %Z",
    "%d.%m.%Y %H:%M:%S %Z",
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%d %H:%M:%S%z",
)
_DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y")


def parse_amazon(content: bytes, *, filename: str | None = None) -> SettlementReport:
    """Parse a whole V2 flat file; ParseError lists every bad row."""
    log = ProblemLog(filename)
    header, rows = read_table(decode_text(content, log, fallback="cp1252"), log, delimiter="\t")
    if not require_columns(header, _REQUIRED, log):
        log.raise_if_any()
    if not rows:
        raise log.fail(1, None, "no settlement summary row")
    summary_line, summary_values = rows[0]
    summary = RowReader(log, summary_line, summary_values)
    settlement_id = summary.required("settlement-id")
    currency = summary.currency("currency", required=True)
    declared = _amount(summary, "total-amount", currency)
    start = _moment(summary, "settlement-start-date")
    end = _moment(summary, "settlement-end-date")
    if declared is None and summary.ok:
        summary.fail("total-amount", "missing value")
    if not summary.ok or declared is None or end is None:
        log.stop()  # without a good summary the rows have no currency or identity
    lines = [
        line
        for number, values in rows[1:]
        if (line := _line(RowReader(log, number, values), settlement_id, currency, end)) is not None
    ]
    log.raise_if_any()
    computed = sum_money((line.net for line in lines if line.net is not None), currency)
    if computed != declared:
        raise log.fail(summary_line, "total-amount", f"says {declared} but the rows add up to {computed}")
    return SettlementReport(
        source_format="amazon",
        report_id=settlement_id,
        lines=lines,
        period_start=start,
        period_end=end,
        totals={currency: declared},
    )


def _line(
    row: RowReader, settlement_id: str, currency: str, settlement_end: datetime
) -> SettlementLine | None:
    transaction_type = row.required("transaction-type")
    amount_type = row.text("amount-type")
    description = row.text("amount-description")
    amount = _amount(row, "amount", currency)
    if amount is None and not row.text("amount"):
        row.fail("amount", "missing value")
    booked_at = _booked_at(row, settlement_end)
    if not row.ok or amount is None or booked_at is None:
        return None
    record_type = _record_type(transaction_type, amount_type, description)
    is_charge = record_type in ("fee", "commission")
    reference = row.optional("order-id") or row.optional("adjustment-id") or row.optional("shipment-id")
    return SettlementLine(
        source_format="amazon",
        report_id=settlement_id,
        line_number=row.line,
        record_type=record_type,
        raw_type="/".join(part for part in (transaction_type, amount_type, description) if part),
        processor_reference=reference or f"{settlement_id}:{row.line}",
        merchant_reference=row.optional("merchant-order-id"),
        booked_at=booked_at,
        gross=None if is_charge else amount,
        net=amount,
        fee=-amount if is_charge else Money.zero(currency),
        fee_breakdown={_snake(description or amount_type): -amount} if is_charge else {},
        payout_id=settlement_id,
        raw=dict(row.values),
    )


def _record_type(transaction_type: str, amount_type: str, description: str) -> RecordType:
    if amount_type in _FEE_AMOUNT_TYPES or transaction_type in _FEE_TRANSACTIONS:
        return "commission" if description in ("Commission", "RefundCommission") else "fee"
    if "reserve" in description.lower():
        return "reserve"
    if transaction_type == "Order":
        return "payment"
    if transaction_type == "Refund":
        return "refund"
    if transaction_type in ("Chargeback Refund", "A-to-z Guarantee Refund"):
        return "chargeback"
    if transaction_type == "other-transaction" and description.endswith("Fee"):
        return "fee"
    return "adjustment" if transaction_type in _ADJUSTMENTS else "other"


def _amount(row: RowReader, column: str, currency: str) -> Money | None:
    text = row.text(column)
    if not text:
        return None
    if "," in text and "." not in text:
        text = text.replace(",", ".")  # decimal comma of EU marketplaces
    try:
        return to_money(parse_decimal(text), currency) if currency else None
    except ValueError as error:
        row.fail(column, str(error))
        return None


def _booked_at(row: RowReader, settlement_end: datetime) -> datetime | None:
    """posted-date-time, else posted-date (midnight UTC); rows with neither (reserve balances): the end."""
    if row.text("posted-date-time"):
        return _moment(row, "posted-date-time")
    if row.text("posted-date"):
        return _moment(row, "posted-date")
    return settlement_end


def _moment(row: RowReader, column: str) -> datetime | None:
    text = row.required(column)
    if not text:
        return None
    for pattern in _DATE_TIME_FORMATS:
        try:
            moment = datetime.strptime(text, pattern)
        except ValueError:
            continue
        if pattern.endswith("%Z") and not text.endswith(("UTC", "GMT")):
            continue  # %Z also takes this machine's local zone names: only UTC/GMT are meant
        return moment.replace(tzinfo=moment.tzinfo or UTC).astimezone(UTC)
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).replace(tzinfo=UTC)
        except ValueError:
            continue
    row.fail(column, f"not a date or date-time Amazon writes: {text!r}")
    return None


def _snake(name: str) -> str:
    """'FBAPerUnitFulfillmentFee' -> 'fba_per_unit_fulfillment_fee' (fee breakdown keys)."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name.strip())
    return re.sub(r"[^a-z0-9]+", "_", spaced.lower()).strip("_") or "fee"
