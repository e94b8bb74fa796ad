"""Order trace: order -> sales transactions -> journal entries -> settlement -> bank.

The ledger's trace API gives the first three (and settlement matches and bank receipts once it
records them); reconciliation's exceptions that name one of the order's references (tender processor
references, document ids, the order id) show where the money side stopped.
"""

from __future__ import annotations

from typing import Any

import msgspec


class OrderTraceView(msgspec.Struct, frozen=True, kw_only=True):
    order_id: str
    references: list[str]
    transactions: list[dict[str, Any]]
    entries: list[dict[str, Any]]
    settlement_matches: list[dict[str, Any]]
    bank_receipts: list[dict[str, Any]]
    exceptions: list[dict[str, Any]]
    legal_entities: list[str]


def order_references(trace: dict[str, Any]) -> list[str]:
    """Every reference the money side may know the order by, sorted."""
    found = {str(trace["order_id"])}
    for traced in trace.get("transactions") or []:
        transaction = traced.get("transaction") or {}
        if transaction.get("document_id"):
            found.add(str(transaction["document_id"]))
        for tender in transaction.get("tenders") or []:
            if tender.get("processor_reference"):
                found.add(str(tender["processor_reference"]))
    for entry in trace.get("entries") or []:
        if entry.get("document_id"):
            found.add(str(entry["document_id"]))
        for line in entry.get("lines") or []:
            if line.get("processor_reference"):
                found.add(str(line["processor_reference"]))
    return sorted(found)


def legal_entities_of(trace: dict[str, Any]) -> list[str]:
    entities = {
        str(t["transaction"]["legal_entity_id"])
        for t in trace.get("transactions") or []
        if (t.get("transaction") or {}).get("legal_entity_id")
    }
    entities |= {str(e["legal_entity_id"]) for e in trace.get("entries") or [] if e.get("legal_entity_id")}
    return sorted(entities)


def related_exceptions(exceptions: list[dict[str, Any]], references: list[str]) -> list[dict[str, Any]]:
    wanted = set(references)
    return [e for e in exceptions if e.get("reference") in wanted]


def order_trace(trace: dict[str, Any], exceptions: list[dict[str, Any]]) -> OrderTraceView:
    references = order_references(trace)
    return OrderTraceView(
        order_id=str(trace["order_id"]),
        references=references,
        transactions=list(trace.get("transactions") or []),
        entries=list(trace.get("entries") or []),
        settlement_matches=list(trace.get("settlement_matches") or []),
        bank_receipts=list(trace.get("bank_receipts") or []),
        exceptions=related_exceptions(exceptions, references),
        legal_entities=legal_entities_of(trace),
    )
