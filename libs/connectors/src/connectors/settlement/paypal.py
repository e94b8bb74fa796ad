"""PayPal Settlement Report (STL, CSV) -> SettlementReport.

Each row starts with its record type: RH/FH report and file headers, SH section header (period and
account), CH column names for the SB body rows that follow, SF/SC section footer and row count,
RF/RC/FF trailers. Amounts are unsigned integers in hundredths of the currency unit whatever the
currency (10000 is 100.00 USD and 100 JPY); the DR/CR columns give the direction. A fee charged
(DR) is a positive fee, a fee returned on a refund (CR) a negative one. Currency-conversion rows
(T02xx) that share a PayPal Reference ID are paired: the credited row gets the debited amount as
`original`.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from decimal import Decimal

import msgspec
from canon.money import Money
from canon.settlement import SettlementLine, SettlementReport

from connectors._parsing import ProblemLog, RowReader, decode_text
from connectors.settlement._paypal_codes import record_type_for

_AMOUNT = re.compile(r"\d+")
_DIRECTION = {"CR": 1, "DR": -1}
_IGNORED_RECORDS = {"FH", "SF", "RF", "RC", "FF", "FC"}


class _Report:
    def __init__(self) -> None:
        self.account: str | None = None
        self.period_start: datetime | None = None
        self.period_end: datetime | None = None
        self.period_day: str | None = None  # the SH start's own calendar date, before any UTC shift
        self.columns: list[str] | None = None
        self.section_rows = 0
        self.lines: list[SettlementLine] = []


def parse_paypal(content: bytes, *, filename: str | None = None) -> SettlementReport:
    """Parse a whole STL file; ParseError lists every bad row."""
    log = ProblemLog(filename)
    report = _Report()
    reader = csv.reader(io.StringIO(decode_text(content, log), newline=""), strict=True)
    start = 1
    try:
        for record in reader:
            line, start = start, reader.line_num + 1
            if any(field.strip() for field in record):
                _take(record, line, report, log)
    except csv.Error as error:
        log.add(reader.line_num or start, None, f"malformed CSV: {error}")
    if report.account is None or report.period_day is None:
        log.add(1, None, "no SH section header: the report's account and period are unknown")
    log.raise_if_any()
    if not report.lines:
        raise log.fail(1, None, "no SB settlement rows")
    report_id = f"{report.account}/{report.period_day}"
    lines = _pair_conversions([msgspec.structs.replace(line, report_id=report_id) for line in report.lines])
    return SettlementReport(
        source_format="paypal",
        report_id=report_id,
        lines=lines,
        period_start=report.period_start,
        period_end=report.period_end,
    )


def _take(record: list[str], line: int, report: _Report, log: ProblemLog) -> None:
    kind = record[0].strip()
    if kind == "RH" and len(record) > 3:
        report.account = report.account or record[3].strip() or None
    elif kind == "SH":
        if len(record) < 4:
            log.add(line, None, f"SH row has {len(record)} fields, expected at least 4")
            return
        report.period_start = _timestamp(record[1], line, "SH start", log)
        report.period_day = record[1].strip()[:10].replace("/", "-")
        report.period_end = _timestamp(record[2], line, "SH end", log)
        report.account = record[3].strip() or report.account
    elif kind == "CH":
        report.columns = [name.strip() for name in record[1:]]
        report.section_rows = 0
    elif kind == "SB":
        report.section_rows += 1
        if report.columns is None:
            log.add(line, None, "SB row before any CH column header")
        elif len(record) - 1 != len(report.columns):
            log.add(line, None, f"expected {len(report.columns) + 1} fields, found {len(record)}")
        else:
            body = _line(RowReader(log, line, dict(zip(report.columns, record[1:], strict=True))))
            if body is not None:
                report.lines.append(body)
    elif kind == "SC":
        declared = record[1].strip() if len(record) > 1 else ""
        if declared != str(report.section_rows):
            log.add(
                line, None, f"section count says {declared!r} SB rows, the section has {report.section_rows}"
            )
    elif kind not in _IGNORED_RECORDS and kind != "RH":
        log.add(line, None, f"unknown record type {kind!r}")


def _line(row: RowReader) -> SettlementLine | None:
    event_code = row.required("Transaction Event Code")
    booked_at = _timestamp(
        row.text("Transaction Completion Date") or row.text("Transaction Initiation Date"),
        row.line,
        "Transaction Completion Date",
        row.log,
    )
    gross = _amount(
        row, "Gross Transaction Amount", "Gross Transaction Currency", "Transaction Debit or Credit"
    )
    fee = _amount(row, "Fee Amount", "Fee Currency", "Fee Debit or Credit")
    reference = row.required("Transaction ID")
    if booked_at is None:
        row.ok = False
    if gross is None and not row.text("Gross Transaction Amount"):
        row.fail("Gross Transaction Amount", "missing value")
    elif gross is not None and fee is not None and fee.currency != gross.currency:
        row.fail("Fee Currency", f"fee currency {fee.currency} differs from gross currency {gross.currency}")
    if not row.ok or gross is None or booked_at is None:
        return None
    fee_charged = -fee if fee is not None else Money.zero(gross.currency)
    record_type = record_type_for(event_code)
    return SettlementLine(
        source_format="paypal",
        report_id="pending",
        line_number=row.line,
        record_type=record_type,
        raw_type=event_code,
        processor_reference=reference,
        merchant_reference=row.optional("Invoice ID"),
        booked_at=booked_at,
        gross=gross,
        net=gross - fee_charged,
        fee=fee_charged,
        fee_breakdown={} if fee_charged.is_zero() else {"transaction_fee": fee_charged},
        payout_id=(row.optional("Bank Reference ID") or reference) if record_type == "payout" else None,
        raw=dict(row.values),
    )


def _amount(row: RowReader, amount_column: str, currency_column: str, direction_column: str) -> Money | None:
    """Signed Money from an unsigned hundredths amount and its DR/CR column; None when blank."""
    text = row.text(amount_column)
    if not text:
        return None
    if not _AMOUNT.fullmatch(text):
        row.fail(amount_column, f"not a whole number of hundredths: {text!r}")
        return None
    direction = row.text(direction_column)
    if direction not in _DIRECTION:
        row.fail(direction_column, f"expected CR or DR, found {direction!r}")
        return None
    currency = row.currency(currency_column, required=True)
    return row.money(amount_column, currency, Decimal(text) / 100 * _DIRECTION[direction])


def _timestamp(text: str, line: int, field: str, log: ProblemLog) -> datetime | None:
    try:
        return datetime.strptime(text.strip(), "%Y/%m/%d %H:%M:%S %z").astimezone(UTC)
    except ValueError:
        log.add(line, field, f"not a date-time YYYY/MM/DD HH:MM:SS +hhmm: {text!r}")
        return None


def _pair_conversions(lines: list[SettlementLine]) -> list[SettlementLine]:
    """Give the credited leg of a two-leg currency conversion the debited amount as `original`."""
    legs: dict[str, list[int]] = {}
    for index, line in enumerate(lines):
        if line.record_type == "currency_conversion":
            legs.setdefault(line.raw.get("PayPal Reference ID", ""), []).append(index)
    for reference, indexes in legs.items():
        if not reference or len(indexes) != 2:
            continue
        first, second = (lines[index] for index in indexes)
        assert first.gross is not None
        assert second.gross is not None
        if (
            first.gross.currency == second.gross.currency
            or first.gross.is_negative() == second.gross.is_negative()
        ):
            continue
        credit_index, debit = (indexes[0], second) if second.gross.is_negative() else (indexes[1], first)
        assert debit.gross is not None
        lines[credit_index] = msgspec.structs.replace(lines[credit_index], original=-debit.gross)
    return lines
