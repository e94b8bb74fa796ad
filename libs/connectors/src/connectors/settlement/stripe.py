"""Stripe itemized payout reconciliation report (CSV, `payout_reconciliation.itemized.*`) -> report.

Built from Stripe's published column reference (no real file was available): one row per balance
transaction, amounts in major units with `net = gross - fee` (a fee is positive when charged),
currency in lower case, `reporting_category` as the type. Columns are found by name, so optional
and metadata columns may come in any order. The time is `created_utc`; a report that only has
`created` (in the report's requested time zone) is read in `report_timezone`. Each row's
`automatic_payout_id` is its payout; the report id is the payout id(s) it covers.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from canon.settlement import RecordType, SettlementLine, SettlementReport

from connectors._csv import read_table, require_columns
from connectors._parsing import ProblemLog, RowReader, decode_text

_RECORD_TYPES: dict[str, RecordType] = {
    "charge": "payment",
    "payment": "payment",
    "refund": "refund",
    "refund_failure": "adjustment",
    "partial_capture_reversal": "adjustment",
    "charge_failure": "adjustment",
    "dispute": "chargeback",
    "dispute_reversal": "chargeback_reversal",
    "fee": "fee",
    "network_cost": "fee",
    "tax": "fee",
    "payout": "payout",
    "payout_reversal": "payout",
    "risk_reserved_funds": "reserve",
    "connect_reserved_funds": "reserve",
    "other_adjustment": "adjustment",
    "platform_earning": "commission",
    "platform_earning_refund": "commission",
}
_REQUIRED = ["balance_transaction_id", "currency", "gross", "fee", "net", "reporting_category"]
_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d")


def parse_stripe(
    content: bytes, *, filename: str | None = None, report_timezone: str = "UTC"
) -> SettlementReport:
    """Parse a whole itemized report; ParseError lists every bad row."""
    log = ProblemLog(filename)
    try:
        zone = ZoneInfo(report_timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise log.fail(1, None, f"unknown report time zone {report_timezone!r}") from None
    header, rows = read_table(decode_text(content, log), log)
    time_column = "created_utc" if "created_utc" in header else "created"
    if not require_columns(header, [*_REQUIRED, time_column], log):
        log.raise_if_any()
    row_zone = ZoneInfo("UTC") if time_column == "created_utc" else zone
    lines = [
        line for line in (_line(RowReader(log, n, row), time_column, row_zone) for n, row in rows) if line
    ]
    log.raise_if_any()
    if not lines:
        raise log.fail(1, None, "no balance transaction rows")
    payouts = sorted({line.payout_id for line in lines if line.payout_id})
    report_id = "+".join(payouts) or f"balance {min(line.booked_at for line in lines):%Y-%m-%d}"
    return SettlementReport(source_format="stripe", report_id=report_id, lines=lines)


def _line(row: RowReader, time_column: str, zone: ZoneInfo) -> SettlementLine | None:
    transaction_id = row.required("balance_transaction_id")
    category = row.required("reporting_category")
    currency = row.currency("currency", required=True)
    gross = row.money("gross", currency)
    fee = row.money("fee", currency)
    net = row.money("net", currency)
    booked_at = _created(row, time_column, zone)
    for column, value in (("gross", gross), ("fee", fee), ("net", net)):
        if value is None and row.text(column) == "":
            row.fail(column, "missing value")
    if gross is not None and fee is not None and net is not None and gross - fee != net:
        row.fail("net", f"net {net} is not gross {gross} minus fee {fee}")
    if not row.ok or gross is None or fee is None or booked_at is None:
        return None
    payout_id = row.optional("automatic_payout_id")
    return SettlementLine(
        source_format="stripe",
        report_id=payout_id or transaction_id,
        line_number=row.line,
        record_type=_RECORD_TYPES.get(category, "other"),
        raw_type=category,
        processor_reference=row.optional("charge_id") or row.optional("source_id") or transaction_id,
        merchant_reference=row.optional("payment_metadata[order_id]") or row.optional("invoice_id"),
        booked_at=booked_at,
        gross=gross,
        net=net,
        fee=fee,
        fee_breakdown={} if fee.is_zero() else {"stripe_fee": fee},
        payout_id=payout_id,
        raw=dict(row.values),
    )


def _created(row: RowReader, column: str, zone: ZoneInfo) -> datetime | None:
    text = row.required(column)
    if not text:
        return None
    for pattern in _FORMATS:
        try:
            wall_clock = datetime.strptime(text, pattern)
        except ValueError:
            continue
        return wall_clock.replace(tzinfo=zone).astimezone(UTC)
    row.fail(column, f"not a date-time YYYY-MM-DD HH:MM:SS: {text!r}")
    return None
