"""Settlement tables and bank lines as rows for COPY (column order = *_COLUMNS).

`currency` is the transaction's (the gross amount's) currency, which is what the sale was tendered
in; `net_currency` is what the processor settles in, and fees are in it. A settlement table's rows
are its columns zipped with the file's constants: no per-line object is built on the way to COPY.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import repeat
from typing import Any

import msgspec
from canon.bank import BankStatement
from connectors.settlement.table import SettlementTable

from reconciliation.domain.files import FileRecord

SETTLEMENT_COLUMNS = [
    "file_id", "line_number", "legal_entity_id", "period_id", "channel_id", "processor", "report_id",
    "record_type", "raw_type", "processor_reference", "merchant_reference", "booked_at", "business_date",
    "currency", "gross_minor", "net_currency", "net_minor", "fee_minor", "direction", "payout_id",
    "payout_reference", "raw", "raw_line",
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


def settlement_rows(record: FileRecord, table: SettlementTable) -> Iterator[tuple[Any, ...]]:
    count = len(table)
    dates = {at: at.date() for at in set(table.booked_at)}
    kinds = set(table.record_type)
    payout_references: Iterable[str | None] = (
        [
            payout_reference(reference) if kind == "payout" else None
            for kind, reference in zip(table.record_type, table.processor_reference, strict=True)
        ]
        if "payout" in kinds
        else repeat(None, count)
    )
    return zip(
        repeat(record.file_id, count),
        table.line_number,
        repeat(record.legal_entity_id),
        repeat(record.period_id),
        repeat(record.channel_id),
        repeat(table.source_format),
        table.report_id,
        table.record_type,
        table.raw_type,
        table.processor_reference,
        table.merchant_reference,
        table.booked_at,
        map(dates.__getitem__, table.booked_at),
        table.currency,
        table.gross_minor,
        table.net_currency,
        table.net_minor,
        table.fee_minor,
        map(_DIRECTIONS.get, table.record_type),
        table.payout_id,
        payout_references,
        repeat(None) if table.raw_json is None else table.raw_json,
        repeat(None) if table.raw_line is None else table.raw_line,
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
