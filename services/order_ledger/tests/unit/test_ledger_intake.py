"""The shared sample files parse as they are; a malformed copy is refused naming the line/field."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from order_ledger.application.intake import (
    canonical_submissions,
    poslog_submissions,
    shopify_order_submissions,
    shopify_refund_submissions,
)

SAMPLES = Path(__file__).resolve().parents[4] / ".." / "shared" / "samples"
CONTEXT = {"channel_id": "web-us", "node_id": "DC-LOU", "legal_entity_id": "US01"}


def test_sample_shopify_order_and_refund_parse_into_canonical_transactions() -> None:
    [order] = shopify_order_submissions((SAMPLES / "shopify" / "order.json").read_bytes(), **CONTEXT)
    assert order.problems == []
    assert order.transaction is not None
    assert (order.transaction.document_id, order.transaction.kind, len(order.transaction.lines)) == (
        "450789469",
        "sale",
        3,
    )
    [refund] = shopify_refund_submissions(
        (SAMPLES / "shopify" / "refund.json").read_bytes(),
        original=order.transaction,
        channel_id=None,
        node_id=None,
        legal_entity_id=None,
    )
    assert refund.transaction is not None
    assert (refund.transaction.kind, refund.transaction.original_document_id) == ("return", "450789469")


def test_malformed_shopify_order_names_the_line_and_field() -> None:
    text = (SAMPLES / "shopify" / "order.json").read_text()
    broken = text.replace('"price": "199.00"', '"price": "one ninety-nine"', 1)
    assert broken != text
    [submission] = shopify_order_submissions(broken.encode(), **CONTEXT)
    assert submission.transaction is None
    assert [(submission.position, p.field) for p in submission.problems] == [(1, "line_items[0].price")]


def test_sample_poslog_parses_and_a_malformed_copy_names_the_transaction_and_element() -> None:
    sample = (SAMPLES / "poslog" / "ncr_acs_poslog_SMALL.xml").read_bytes()
    options = {
        "legal_entity_id": "US01",
        "channel_id": "store",
        "currency": None,
        "timezone": ZoneInfo("America/New_York"),
    }
    [sale] = poslog_submissions(sample, **options)  # type: ignore[arg-type]
    assert sale.transaction is not None
    assert sale.transaction.document_id == "9-34-2017-09-30-161"
    broken = poslog_submissions(
        sample.replace(b"<UnitCostPrice>", b"<UnitCostPrice>x", 1)
        if b"<UnitCostPrice>" in sample
        else sample.replace(b"<RegularSalesUnitPrice>", b"<RegularSalesUnitPrice>x", 1),
        **options,
    )  # type: ignore[arg-type]
    [refused] = broken
    assert refused.transaction is None
    assert refused.position == 2
    assert refused.problems[0].field.startswith(
        "Transaction[2](seq 161)/RetailTransaction/LineItem(seq 1)/Sale"
    )


def test_canonical_json_lines_name_the_bad_line_and_field() -> None:
    good = b'{"source_system": "pos"}'
    [first, second] = canonical_submissions(good + b"\n\n" + b"not json\n", "day.jsonl")
    assert (first.position, first.problems[0].field) == (1, "document_id")
    assert first.problems[0].reason == "missing required field"
    assert (second.position, second.problems[0].field) == (3, "record")
