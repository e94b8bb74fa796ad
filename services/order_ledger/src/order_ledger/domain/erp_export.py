"""ERP journal export batches: their identity, content and the two documented layouts.

A batch is identified by `batch_id` (deterministic from the entries it holds); its document is
rendered once and stored, so a re-send is byte-identical and the ERP can drop it by batch id.
Layouts: contracts/erp/README.md (JSON `journal_batch.v1`, CSV one row per journal line).
"""

from __future__ import annotations

import csv
import io
from datetime import datetime

import msgspec
from canon.ids import deterministic_id
from canon.ledger import JournalEntry

LAYOUT = "retail-sync.erp.journal_batch.v1"
CSV_COLUMNS = (
    "batch_id",
    "entry_id",
    "line_no",
    "legal_entity_id",
    "period_id",
    "business_date",
    "posted_at",
    "currency",
    "account",
    "side",
    "amount",
    "amount_minor",
    "role",
    "transaction_kind",
    "source_system",
    "document_id",
    "revision",
    "order_id",
    "tender_kind",
    "processor",
    "processor_reference",
    "jurisdiction",
    "dim_legal_entity",
    "dim_node",
    "dim_channel",
    "dim_cost_center",
    "dim_promotion",
    "dim_vendor",
    "late",
    "flags",
    "reverses_entry_id",
    "memo",
)


class CurrencyTotal(msgspec.Struct, frozen=True, kw_only=True):
    currency: str
    debit_minor: int
    credit_minor: int


class ExportDocument(msgspec.Struct, frozen=True, kw_only=True):
    layout: str = LAYOUT
    batch_id: str
    created_at: datetime
    entry_count: int
    line_count: int
    totals: list[CurrencyTotal]
    entries: list[JournalEntry]


class ErpAck(msgspec.Struct, frozen=True, kw_only=True):
    """The ERP took the batch (`reference` is its own document number, if it gives one)."""

    batch_id: str
    reference: str | None = None
    accepted: bool = True
    message: str | None = None


def batch_id_for(entry_ids: list[str]) -> str:
    return deterministic_id("erp-batch", *sorted(entry_ids))


def export_document(entries: list[JournalEntry], created_at: datetime) -> ExportDocument:
    totals: dict[str, list[int]] = {}
    for entry in entries:
        sums = totals.setdefault(entry.currency, [0, 0])
        for line in entry.lines:
            sums[0 if line.side == "debit" else 1] += line.amount.amount_minor
    return ExportDocument(
        batch_id=batch_id_for([entry.entry_id for entry in entries]),
        created_at=created_at,
        entry_count=len(entries),
        line_count=sum(len(entry.lines) for entry in entries),
        totals=[
            CurrencyTotal(currency=c, debit_minor=d, credit_minor=k) for c, (d, k) in sorted(totals.items())
        ],
        entries=entries,
    )


def render_json(document: ExportDocument) -> bytes:
    return msgspec.json.encode(document)


def render_csv(document: ExportDocument) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for entry in document.entries:
        for number, line in enumerate(entry.lines, start=1):
            dims = line.dimensions
            writer.writerow(
                [
                    document.batch_id,
                    entry.entry_id,
                    number,
                    entry.legal_entity_id,
                    entry.period_id,
                    entry.business_date.isoformat(),
                    entry.posted_at.isoformat().replace("+00:00", "Z"),
                    entry.currency,
                    line.account,
                    line.side,
                    f"{line.amount.to_decimal():f}",
                    line.amount.amount_minor,
                    line.role,
                    entry.transaction_kind,
                    entry.source_system,
                    entry.document_id,
                    entry.revision,
                    entry.order_id or "",
                    line.tender_kind or "",
                    line.processor or "",
                    line.processor_reference or "",
                    line.jurisdiction or "",
                    *(
                        dims.get(name, "")
                        for name in ("legal_entity", "node", "channel", "cost_center", "promotion", "vendor")
                    ),
                    "true" if entry.late else "false",
                    "|".join(entry.flags),
                    entry.reverses_entry_id or "",
                    line.memo or "",
                ]
            )
    return out.getvalue().encode()
