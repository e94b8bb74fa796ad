"""Canonical settlement and bank lines as rows for COPY (column order = *_COLUMNS).

`currency` is the transaction's (the gross amount's) currency, which is what the sale was tendered
in; `net_currency` is what the processor settles in, and fees are in it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import msgspec
from canon.bank import BankStatement
from canon.settlement import SettlementLine, SettlementReport

from reconciliation.domain.files import FileRecord

SETTLEMENT_COLUMNS = [
    "file_id", "line_number", "legal_entity_id", "period_id", "channel_id", "processor", "report_id",
    "record_type", "raw_type", "processor_reference", "merchant_reference", "booked_at", "business_date",
    "currency", "gross_minor", "net_currency", "net_minor", "fee_minor", "direction", "payout_id",
    "payout_reference", "raw",
]  # fmt: skip
BANK_COLUMNS = [
    "file_id", "line_number", "legal_entity_id", "period_id", "statement_id", "account", "booked_on",
    "value_date", "currency", "amount_minor", "reference", "description", "counterparty", "raw",
]  # fmt: skip
_DIRECTIONS = {"payment": 1, "refund": -1}
_encode = msgspec.json.Encoder().encode


def payout_reference(reference: str) -> str:
    """The first token of a payout's reference: what banks carry in the remittance text."""
    return reference.replace(",", " ").split()[0]


def settlement_rows(record: FileRecord, report: SettlementReport) -> Iterator[tuple[Any, ...]]:
    for line in report.lines:
        yield settlement_row(record, line)


def settlement_row(record: FileRecord, line: SettlementLine) -> tuple[Any, ...]:
    net_currency = (line.net or line.fee).currency
    currency = line.gross.currency if line.gross is not None else net_currency
    is_payout = line.record_type == "payout"
    return (
        record.file_id,
        line.line_number,
        record.legal_entity_id,
        record.period_id,
        record.channel_id,
        line.source_format,
        line.report_id,
        line.record_type,
        line.raw_type,
        line.processor_reference,
        line.merchant_reference,
        line.booked_at,
        line.booked_at.date(),
        currency,
        None if line.gross is None else line.gross.amount_minor,
        net_currency,
        None if line.net is None else line.net.amount_minor,
        line.fee.amount_minor,
        _DIRECTIONS.get(line.record_type),
        line.payout_id,
        payout_reference(line.processor_reference) if is_payout else None,
        _encode(line.raw).decode(),
    )


def bank_rows(record: FileRecord, statements: list[BankStatement]) -> Iterator[tuple[Any, ...]]:
    for statement in statements:
        for line in statement.lines:
            yield (
                record.file_id,
                line.line_number,
                record.legal_entity_id,
                record.period_id,
                line.statement_id,
                line.account,
                line.booked_on,
                line.value_date,
                line.amount.currency,
                line.amount.amount_minor,
                line.reference,
                line.description,
                line.counterparty,
                _encode(line.raw).decode(),
            )
