"""Adyen "Settlement details report" (CSV) -> SettlementReport.

Columns are found by header name, so both the classic 30-column layout and the newer, longer one
(Booking Date, Balance Currency, Payment Fees (NC) ...) are read, in any column order. Gross is in
the gross currency (GC), net and fees in the net currency (NC); credits are positive. A Fee-type row
without a breakdown is itself the charge, so its fee is minus its net. Every line
carries its Batch Number as `payout_id`: Adyen pays a batch out as one MerchantPayout transfer.
"""

from __future__ import annotations

from datetime import datetime

from canon.money import Money, sum_money
from canon.settlement import SettlementLine, SettlementReport

from connectors._csv import read_table, require_columns
from connectors._parsing import ProblemLog, RowReader, decode_text
from connectors.settlement._adyen_columns import fast_table
from connectors.settlement._adyen_layout import (
    FEE_COLUMNS,
    RECORD_TYPES,
    REQUIRED,
    FieldProblemError,
    booked_at_utc,
)
from connectors.settlement.table import SettlementTable


def _report(table: SettlementTable) -> SettlementReport:
    """The canonical lines of a table that `fast_table` read."""
    lines = []
    for i, line_number in enumerate(table.line_number):
        net_currency = table.net_currency[i]
        gross, net = table.gross_minor[i], table.net_minor[i]
        breakdown = {
            key: Money(amounts[i] or 0, net_currency)
            for key, amounts in table.fee_breakdown.items()
            if amounts[i]
        }
        lines.append(
            SettlementLine(
                source_format="adyen",
                report_id=table.report_id[i],
                line_number=line_number,
                record_type=table.record_type[i],  # type: ignore[arg-type]
                raw_type=table.raw_type[i],
                processor_reference=table.processor_reference[i],
                merchant_reference=table.merchant_reference[i],
                booked_at=table.booked_at[i],
                gross=None if gross is None else Money(gross, table.currency[i]),
                net=None if net is None else Money(net, net_currency),
                fee=Money(table.fee_minor[i], net_currency),
                fee_breakdown=breakdown,
                payout_id=table.payout_id[i],
                exchange_rate=table.exchange_rate[i],
                raw=table.raw(i),
            )
        )
    return SettlementReport(source_format="adyen", report_id=table.report_id_text, lines=lines)


def parse_adyen(content: bytes, *, filename: str | None = None) -> SettlementReport:
    """Parse a whole settlement details report; ParseError lists every bad row."""
    log = ProblemLog(filename)
    text = decode_text(content, log)
    table = fast_table(text)
    if table is not None:
        return _report(table)
    return _parse_rows(text, log)


def adyen_table(content: bytes, *, filename: str | None = None) -> SettlementTable:
    """The report as columns, for bulk loading (same facts as `parse_adyen`, same ParseError)."""
    log = ProblemLog(filename)
    text = decode_text(content, log)
    table = fast_table(text)
    if table is not None:
        return table
    return SettlementTable.from_report(_parse_rows(text, log))


def _parse_rows(text: str, log: ProblemLog) -> SettlementReport:
    """The general reader: any CSV the csv module reads, every bad row reported with its line."""
    header, rows = read_table(text, log)
    if not require_columns(header, REQUIRED, log):
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
    for column, key in FEE_COLUMNS:
        amount = row.money(column, net_currency)
        if amount is not None and not amount.is_zero():
            fee_breakdown[key] = amount
    if not row.ok or booked_at is None:
        return None
    record_type = RECORD_TYPES.get(raw_type, "other")
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


def _booked_at(row: RowReader) -> datetime | None:
    created = row.required("Creation Date")
    zone = row.required("TimeZone")
    if not created or not zone:
        return None
    try:
        return booked_at_utc(created, zone)
    except FieldProblemError as problem:
        row.fail(problem.field, problem.reason)
        return None


def _signed(row: RowReader, currency: str, credit_column: str, debit_column: str) -> Money | None:
    """Credit minus debit, or None when both are blank."""
    credit = row.money(credit_column, currency)
    debit = row.money(debit_column, currency)
    if credit is None and debit is None:
        return None
    return (credit or Money.zero(currency)) - (debit or Money.zero(currency))
