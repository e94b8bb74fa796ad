"""Rows <-> canonical types (journal entries are stored as a header row plus line rows)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec
from canon.ledger import JournalEntry, JournalLine
from canon.money import Money
from canon.sales import SalesTransaction

TX_DECODER = msgspec.json.Decoder(SalesTransaction)
ENCODER = msgspec.json.Encoder()

ENTRY_COLUMNS = (
    "entry_id",
    "legal_entity_id",
    "currency",
    "business_date",
    "period_id",
    "posted_at",
    "source_system",
    "document_id",
    "revision",
    "order_id",
    "transaction_kind",
    "channel_id",
    "node_id",
    "late",
    "flags",
    "reverses_entry_id",
    "original_document_id",
)
LINE_COLUMNS = (
    "entry_id",
    "line_no",
    "account",
    "role",
    "side",
    "amount_minor",
    "currency",
    "dimensions",
    "tender_kind",
    "processor",
    "processor_reference",
    "jurisdiction",
    "memo",
)


def entry_record(entry: JournalEntry) -> tuple[Any, ...]:
    return (
        entry.entry_id,
        entry.legal_entity_id,
        entry.currency,
        entry.business_date,
        entry.period_id,
        entry.posted_at,
        entry.source_system,
        entry.document_id,
        entry.revision,
        entry.order_id,
        entry.transaction_kind,
        entry.channel_id,
        entry.node_id,
        entry.late,
        ENCODER.encode(entry.flags).decode(),
        entry.reverses_entry_id,
        entry.original_document_id,
    )


def line_records(entry: JournalEntry) -> list[tuple[Any, ...]]:
    return [
        (
            entry.entry_id,
            number,
            line.account,
            line.role,
            line.side,
            line.amount.amount_minor,
            line.amount.currency,
            ENCODER.encode(line.dimensions).decode(),
            line.tender_kind,
            line.processor,
            line.processor_reference,
            line.jurisdiction,
            line.memo,
        )
        for number, line in enumerate(entry.lines, start=1)
    ]


def entry_from_rows(header: Any, lines: Sequence[Any]) -> JournalEntry:
    return JournalEntry(
        entry_id=header.entry_id,
        legal_entity_id=header.legal_entity_id,
        currency=header.currency,
        business_date=header.business_date,
        period_id=header.period_id,
        posted_at=header.posted_at,
        source_system=header.source_system,
        document_id=header.document_id,
        revision=header.revision,
        order_id=header.order_id,
        transaction_kind=header.transaction_kind,
        channel_id=header.channel_id,
        node_id=header.node_id,
        late=header.late,
        flags=list(header.flags),
        reverses_entry_id=header.reverses_entry_id,
        original_document_id=header.original_document_id,
        lines=[
            JournalLine(
                account=line.account,
                role=line.role,
                side=line.side,
                amount=Money(line.amount_minor, line.currency),
                dimensions=dict(line.dimensions),
                tender_kind=line.tender_kind,
                processor=line.processor,
                processor_reference=line.processor_reference,
                jurisdiction=line.jurisdiction,
                memo=line.memo,
            )
            for line in sorted(lines, key=lambda row: row.line_no)
        ],
    )


def decode_transaction(value: Any) -> SalesTransaction:
    """A stored payload: JSON text (cast in the query), or already decoded by the driver's jsonb codec
    (asyncpg connections that ran COPY were seen handing back objects)."""
    if isinstance(value, str | bytes):
        return TX_DECODER.decode(value)
    return msgspec.convert(value, SalesTransaction)
