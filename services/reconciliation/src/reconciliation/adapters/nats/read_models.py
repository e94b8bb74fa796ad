"""Consumers feeding the read models: ledger entries, sales transactions, return dispositions.

Each handler runs in the consumer's transaction with its inbox row, so a redelivery changes nothing.
A newer revision of a document replaces the older one's rows; an older one arriving late is ignored.
"""

from __future__ import annotations

from canon.envelope import Envelope
from canon.inventory import RETURN_DISPOSED, ReturnDisposed
from canon.ledger import ENTRY_POSTED, EntryPosted, JournalEntry
from canon.sales import TRANSACTION_RECORDED, TransactionRecorded
from messaging.consumer import ConsumerSpec, Handler, typed_handler
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

SALES_KINDS = frozenset({"sale", "return", "exchange"})
_DISCOUNT_ROLES = frozenset({"contra_revenue", "markdown"})


def consumer_specs(service: str) -> dict[str, ConsumerSpec]:
    return {
        "ledger": ConsumerSpec(
            durable=f"{service}_ledger_entries", stream="LEDGER", filter_subjects=(ENTRY_POSTED.subject,)
        ),
        "sales": ConsumerSpec(
            durable=f"{service}_sales_transactions",
            stream="SALES",
            filter_subjects=(TRANSACTION_RECORDED.subject,),
        ),
        "returns": ConsumerSpec(
            durable=f"{service}_return_dispositions",
            stream="INVENTORY",
            filter_subjects=(RETURN_DISPOSED.subject,),
        ),
    }


def _signed(side: str, amount: int) -> int:
    return amount if side == "debit" else -amount


async def apply_entry(session: AsyncSession, entry: JournalEntry) -> None:
    """Tender-clearing lines with a processor reference (sales only) and per-entry discount/tax totals."""
    newer = await session.execute(
        text(
            """SELECT 1 FROM ledger_documents WHERE source_system = :s AND document_id = :d AND revision > :r
            LIMIT 1"""
        ),
        {"s": entry.source_system, "d": entry.document_id, "r": entry.revision},
    )
    if newer.first() is not None:
        return
    scope = {"s": entry.source_system, "d": entry.document_id, "r": entry.revision, "e": entry.entry_id}
    await session.execute(
        text(
            """DELETE FROM tender_lines WHERE (source_system = :s AND document_id = :d AND revision < :r) OR
            entry_id = :e"""
        ),
        scope,
    )
    await session.execute(
        text(
            """DELETE FROM ledger_documents WHERE (source_system = :s AND document_id = :d AND revision < :r)
            OR entry_id = :e"""
        ),
        scope,
    )
    discount = sum(
        _signed(line.side, line.amount.amount_minor) for line in entry.lines if line.role in _DISCOUNT_ROLES
    )
    tax = -sum(
        _signed(line.side, line.amount.amount_minor) for line in entry.lines if line.role == "tax_payable"
    )
    await session.execute(
        text(
            """INSERT INTO ledger_documents (entry_id, source_system, document_id, revision, legal_entity_id,
            channel_id, node_id, business_date, period_id, currency, transaction_kind, discount_minor,
            tax_minor, posted_at) VALUES (:e, :s, :d, :r, :le, :ch, :node, :bd, :period, :cur, :kind,
            :discount, :tax, :posted)"""
        ),
        scope
        | {
            "le": entry.legal_entity_id,
            "ch": entry.channel_id,
            "node": entry.node_id,
            "bd": entry.business_date,
            "period": entry.period_id,
            "cur": entry.currency,
            "kind": entry.transaction_kind,
            "discount": discount,
            "tax": tax,
            "posted": entry.posted_at,
        },
    )
    if entry.transaction_kind not in SALES_KINDS:
        return
    rows = [
        scope
        | {
            "i": index,
            "le": entry.legal_entity_id,
            "ch": entry.channel_id,
            "node": entry.node_id,
            "order": entry.order_id,
            "bd": entry.business_date,
            "period": entry.period_id,
            "processor": line.processor.lower(),
            "ref": line.processor_reference,
            "tk": line.tender_kind,
            "cur": line.amount.currency,
            "amount": _signed(line.side, line.amount.amount_minor),
        }
        for index, line in enumerate(entry.lines)
        if line.role == "tender_clearing"
        and line.processor
        and line.processor_reference
        and not line.amount.is_zero()
    ]
    if rows:
        await session.execute(
            text(
                """INSERT INTO tender_lines (entry_id, line_index, source_system, document_id, revision,
            legal_entity_id, channel_id, node_id, order_id, business_date, period_id, processor,
            processor_reference, tender_kind, currency, amount_minor, direction) VALUES (:e, :i, :s, :d, :r,
            :le, :ch, :node, :order, :bd, :period, :processor, :ref, :tk, :cur, :amount, sign(CAST(:amount
            AS bigint)))"""
            ),
            rows,
        )


async def apply_transaction(session: AsyncSession, recorded: TransactionRecorded) -> None:
    tx = recorded.transaction
    returned = sorted({line.sku for line in tx.lines if line.returned})
    await session.execute(
        text(
            """INSERT INTO sales_documents (source_system, document_id, revision, kind, order_id,
            original_document_id, channel_id, node_id, legal_entity_id, currency, business_date,
            discount_minor, tax_minor, tender_minor, returned_skus, recorded_at) VALUES (:s, :d, :r, :kind,
            :order, :orig, :ch, :node, :le, :cur, :bd, :discount, :tax, :tender, :skus, :at) ON CONFLICT
            (source_system, document_id) DO UPDATE SET revision = excluded.revision, kind = excluded.kind,
            order_id = excluded.order_id, original_document_id = excluded.original_document_id, channel_id =
            excluded.channel_id, node_id = excluded.node_id, legal_entity_id = excluded.legal_entity_id,
            currency = excluded.currency, business_date = excluded.business_date, discount_minor =
            excluded.discount_minor, tax_minor = excluded.tax_minor, tender_minor = excluded.tender_minor,
            returned_skus = excluded.returned_skus, recorded_at = excluded.recorded_at WHERE
            sales_documents.revision < excluded.revision"""
        ),
        {
            "s": tx.source_system,
            "d": tx.document_id,
            "r": tx.revision,
            "kind": tx.kind,
            "order": tx.order_id,
            "orig": tx.original_document_id,
            "ch": tx.channel_id,
            "node": tx.node_id,
            "le": tx.legal_entity_id,
            "cur": tx.currency,
            "bd": tx.business_date,
            "discount": tx.discount_total.amount_minor,
            "tax": tx.tax_total.amount_minor,
            "tender": tx.tender_total.amount_minor,
            "skus": returned,
            "at": recorded.recorded_at,
        },
    )


async def apply_disposition(session: AsyncSession, disposed: ReturnDisposed) -> None:
    await session.execute(
        text(
            """INSERT INTO return_dispositions (movement_id, order_id, rma, sku, node_id, qty, disposition,
            occurred_at) VALUES (:m, :order, :rma, :sku, :node, :qty, :disposition, :at) ON CONFLICT DO
            NOTHING"""
        ),
        {
            "m": disposed.movement_id,
            "order": disposed.order_id,
            "rma": disposed.rma,
            "sku": disposed.sku,
            "node": disposed.node,
            "qty": disposed.qty,
            "disposition": disposed.disposition,
            "at": disposed.occurred_at,
        },
    )


async def _entry(session: AsyncSession, _: Envelope, event: EntryPosted) -> None:
    await apply_entry(session, event.entry)


async def _transaction(session: AsyncSession, _: Envelope, event: TransactionRecorded) -> None:
    await apply_transaction(session, event)


async def _disposition(session: AsyncSession, _: Envelope, event: ReturnDisposed) -> None:
    await apply_disposition(session, event)


HANDLERS: dict[str, Handler] = {
    "ledger": typed_handler(ENTRY_POSTED, _entry),
    "sales": typed_handler(TRANSACTION_RECORDED, _transaction),
    "returns": typed_handler(RETURN_DISPOSED, _disposition),
}
