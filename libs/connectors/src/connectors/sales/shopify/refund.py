"""Shopify refund (refunds/create webhook body) -> canonical return.

Mapping rules:
- each refund line item -> a returned SalesLine (refunded quantity at the original unit
  price), pointing at the order line by ``original_line_id``; its tax and discounts are the
  embedded line item's, prorated to the refunded quantity by largest remainder;
- a ``shipping_refund`` order adjustment -> refunded shipping (and its tax, whose jurisdiction
  Shopify does not give: "UNSPECIFIED"); a ``refund_discrepancy`` adjustment has no canonical
  home and is not mapped, so such a refund fails the balance check and is looked at by a person;
- successful ``refund`` transactions -> refund tenders (positive amounts, ``refund=True``);
- the original order is the document ``order_id``; pass ``original`` (the parsed order) to
  carry its customer order number, channel, node, legal entity and currency.
"""

from __future__ import annotations

from typing import Any

import msgspec
from canon.money import Money
from canon.sales import Discount, SalesLine, SalesTransaction, TaxLine

from connectors.sales._reading import Problems, to_utc
from connectors.sales.shopify._common import decode, items, successful, tax_lines, tender


def parse_refund(
    payload: bytes,
    *,
    original: SalesTransaction | None = None,
    channel_id: str | None = None,
    node_id: str | None = None,
    legal_entity_id: str | None = None,
    currency: str | None = None,
    source_system: str = "shopify",
    revision: int = 1,
) -> SalesTransaction:
    problems = Problems()
    refund = decode(payload, "refund", problems)
    document_id = problems.text(refund, "id", 0, "id")
    order_document = problems.text(refund, "order_id", 0, "order_id")
    if original is not None and order_document is not None and order_document != original.document_id:
        problems.add(0, "order_id", f"{order_document} is not the original document {original.document_id}")
    refunded = problems.instant(refund.get("processed_at") or refund.get("created_at"), 0, "created_at")
    transactions = items(refund, "transactions", 0, "transactions", problems)
    currency = _currency(currency, original, transactions, problems)
    context = {
        name: given or (getattr(original, name) if original else None)
        for name, given in (
            ("channel_id", channel_id),
            ("node_id", node_id),
            ("legal_entity_id", legal_entity_id),
        )
    }
    for name, value in context.items():
        if value is None:
            problems.add(0, name, "not in a refund payload: pass it or the original transaction")
    lines = [
        _line(raw, index, currency, original, problems)
        for index, raw in enumerate(items(refund, "refund_line_items", 0, "refund_line_items", problems))
    ]
    if (
        problems.items
        or currency is None
        or document_id is None
        or order_document is None
        or refunded is None
    ):
        raise problems.error()
    shipping, shipping_taxes = Money.zero(currency), []
    for index, adjustment in enumerate(items(refund, "order_adjustments", 0, "order_adjustments", problems)):
        if adjustment.get("kind") == "shipping_refund":
            path = f"order_adjustments[{index}]"
            amount = problems.money(adjustment.get("amount", "0"), currency, 0, f"{path}.amount")
            tax = problems.money(adjustment.get("tax_amount", "0"), currency, 0, f"{path}.tax_amount")
            shipping = shipping + abs(amount) if amount else shipping
            if tax and not tax.is_zero():
                shipping_taxes.append(TaxLine(jurisdiction="UNSPECIFIED", amount=abs(tax)))
    refunds = [
        tender(raw, currency, 0, f"transactions[{i}]", problems)
        for i, raw in successful(transactions, ("refund",))
    ]
    transaction = problems.build(
        0,
        "",
        SalesTransaction,
        source_system=source_system,
        document_id=document_id,
        revision=revision,
        kind="return",
        order_id=original.order_id if original else order_document,
        original_document_id=order_document,
        channel_id=str(context["channel_id"]),
        node_id=str(context["node_id"]),
        legal_entity_id=str(context["legal_entity_id"]),
        currency=currency,
        business_date=refunded.date(),
        occurred_at=to_utc(refunded),
        lines=[line for line in lines if line is not None],
        tenders=[t for t in refunds if t is not None],
        customer_id=original.customer_id if original else None,
        shipping=shipping,
        shipping_taxes=shipping_taxes,
    )
    if problems.items or transaction is None:
        raise problems.error()
    return transaction


def _currency(
    given: str | None, original: SalesTransaction | None, transactions: list[Any], problems: Problems
) -> str | None:
    found = {t.get("currency") for t in transactions if isinstance(t, dict) and t.get("currency")}
    candidates = {str(c).upper() for c in (given, original.currency if original else None, *found) if c}
    if len(candidates) != 1:
        reason = (
            "no currency: pass it or the original" if not candidates else f"conflicting: {sorted(candidates)}"
        )
        problems.add(0, "currency", reason)
        return None
    return problems.currency(candidates.pop(), 0, "currency")


def _line(
    raw: Any, index: int, currency: str | None, original: SalesTransaction | None, problems: Problems
) -> SalesLine | None:
    line, path = index + 1, f"refund_line_items[{index}]"
    item = raw.get("line_item") if isinstance(raw, dict) else None
    if not isinstance(item, dict):
        problems.add(line, f"{path}.line_item", "expected the embedded order line item")
        return None
    line_id = problems.text(raw, "id", line, f"{path}.id")
    original_line_id = problems.text(raw, "line_item_id", line, f"{path}.line_item_id")
    original_line = (
        next((x for x in original.lines if x.line_id == original_line_id), None) if original else None
    )
    sku = problems.text(item, "sku", line, f"{path}.line_item.sku")
    price = problems.money(item.get("price"), currency, line, f"{path}.line_item.price")
    quantity, ordered = raw.get("quantity"), item.get("quantity")
    if not (isinstance(quantity, int) and isinstance(ordered, int) and 1 <= quantity <= ordered):
        problems.add(
            line, f"{path}.quantity", f"expected 1..{ordered!r} (the ordered quantity), got {quantity!r}"
        )
        return None
    taxes = [
        TaxLine(jurisdiction=t.jurisdiction, amount=_prorate(t.amount, quantity, ordered), rate=t.rate)
        for t in tax_lines(item, currency, line, f"{path}.line_item", problems)
    ]
    discounts = _discounts(
        item, original_line, quantity, ordered, currency, line, f"{path}.line_item", problems
    )
    if line_id is None or original_line_id is None or sku is None or price is None:
        return None
    return problems.build(
        line,
        path,
        SalesLine,
        line_id=line_id,
        sku=sku,
        quantity=quantity,
        unit_price=price,
        discounts=discounts,
        taxes=[t for t in taxes if not t.amount.is_zero()],
        returned=True,
        original_line_id=original_line_id,
    )


def _discounts(
    item: dict[str, Any],
    original_line: SalesLine | None,
    quantity: int,
    ordered: int,
    currency: str | None,
    line: int,
    path: str,
    problems: Problems,
) -> list[Discount]:
    """The original line's discounts (promotion context kept) for the refunded units; without
    the original, the payload's allocations, whose promotions a refund body does not name."""
    if original_line is not None:
        return [
            msgspec.structs.replace(d, amount=_prorate(d.amount, quantity, original_line.quantity))
            for d in original_line.discounts
        ]
    discounts = []
    for index, allocation in enumerate(items(item, "discount_allocations", line, path, problems)):
        amount = problems.money(
            allocation.get("amount"), currency, line, f"{path}.discount_allocations[{index}].amount"
        )
        if amount is not None and not amount.is_zero():
            discounts.append(
                Discount(amount=_prorate(amount, quantity, ordered), description="unnamed in refund")
            )
    return discounts


def _prorate(amount: Money, part: int, whole: int) -> Money:
    """The share of a whole-line amount that belongs to `part` of `whole` units."""
    return amount if part == whole else amount.allocate([part, whole - part])[0]
