"""Shopify order (orders/create, orders/paid webhook body) -> canonical sale.

Mapping rules:
- each line item -> SalesLine; its ``discount_allocations`` -> Discounts, named through
  ``discount_applications[discount_application_index]`` and the caller's promotion resolver
  (an unresolved one keeps ``promotion_id`` None so the ledger can flag it);
- tax: a line's own ``tax_lines``; when no line has any (older payloads such as Shopify's
  documentation example), each order-level tax line less its shipping part is spread over the
  taxable lines in proportion to their net amount, by largest remainder;
- ``discount_codes`` -> coupons (codes only: amounts come from the allocations);
- tenders: the successful sale/capture transactions if the payload embeds ``transactions``,
  else the successful authorizations; an order body without transactions gives one tender of
  ``total_price`` on ``gateway``, with no processor reference (validation will say so).
"""

from __future__ import annotations

from typing import Any

from canon.sales import SalesLine, SalesTransaction

from connectors.sales._reading import Problems, to_utc
from connectors.sales.shopify._common import PromotionResolver, decode, discount, items, sub_object, tax_lines
from connectors.sales.shopify._order_totals import shipping, spread_order_tax, tenders

__all__ = ["PromotionResolver", "parse_order"]


def parse_order(
    payload: bytes,
    *,
    channel_id: str,
    node_id: str,
    legal_entity_id: str,
    source_system: str = "shopify",
    revision: int = 1,
    promotion_resolver: PromotionResolver | None = None,
) -> SalesTransaction:
    problems = Problems()
    order = decode(payload, "order", problems)
    currency = problems.currency(order.get("currency"), 0, "currency")
    document_id = problems.text(order, "id", 0, "id")
    placed = problems.instant(order.get("processed_at") or order.get("created_at"), 0, "created_at")
    applications = items(order, "discount_applications", 0, "discount_applications", problems)
    raw_lines = items(order, "line_items", 0, "line_items", problems)
    lines = [
        _line(raw, index, currency, applications, promotion_resolver, problems)
        for index, raw in enumerate(raw_lines)
    ]
    order_taxes = tax_lines(order, currency, 0, "", problems)
    if problems.items or currency is None or document_id is None or placed is None:
        raise problems.error()
    shipping_amount, shipping_taxes = shipping(order, currency, problems)
    payments = tenders(order, currency, problems)
    built = [line for line in lines if line is not None]
    if not any(line.taxes for line in built):
        taxable = [raw.get("taxable") is not False for raw in raw_lines]
        built = spread_order_tax(built, taxable, order_taxes, shipping_taxes, problems)
    customer = sub_object(order, "customer")
    transaction = problems.build(
        0,
        "",
        SalesTransaction,
        source_system=source_system,
        document_id=document_id,
        revision=revision,
        kind="sale",
        order_id=str(order.get("name") or order.get("order_number") or document_id),
        channel_id=channel_id,
        node_id=node_id,
        legal_entity_id=legal_entity_id,
        currency=currency,
        business_date=placed.date(),
        occurred_at=to_utc(placed),
        lines=built,
        tenders=payments,
        customer_id=str(customer["id"]) if customer.get("id") is not None else None,
        coupons=[
            str(c["code"]) for c in order.get("discount_codes") or [] if isinstance(c, dict) and c.get("code")
        ],
        shipping=shipping_amount,
        shipping_taxes=shipping_taxes,
    )
    if problems.items or transaction is None:
        raise problems.error()
    return transaction


def _line(
    raw: Any,
    index: int,
    currency: str | None,
    applications: list[Any],
    resolver: PromotionResolver | None,
    problems: Problems,
) -> SalesLine | None:
    line, path = index + 1, f"line_items[{index}]"
    if not isinstance(raw, dict):
        problems.add(line, path, "expected an object")
        return None
    line_id = problems.text(raw, "id", line, f"{path}.id")
    sku = problems.text(raw, "sku", line, f"{path}.sku")
    price = problems.money(raw.get("price"), currency, line, f"{path}.price")
    quantity = raw.get("quantity")
    valid_quantity = isinstance(quantity, int) and not isinstance(quantity, bool) and quantity >= 1
    if not valid_quantity:
        problems.add(line, f"{path}.quantity", f"expected a positive whole number, got {quantity!r}")
    discounts = []
    for d_index, allocation in enumerate(
        items(raw, "discount_allocations", line, f"{path}.discount_allocations", problems)
    ):
        at = f"{path}.discount_allocations[{d_index}]"
        amount = problems.money(allocation.get("amount"), currency, line, f"{at}.amount")
        app_index = allocation.get("discount_application_index")
        if not isinstance(app_index, int) or not 0 <= app_index < len(applications):
            problems.add(line, f"{at}.discount_application_index", f"no discount application {app_index!r}")
        elif amount is not None and amount.amount_minor > 0:
            built = problems.build(
                line, at, discount, amount=amount, application=applications[app_index], resolver=resolver
            )
            discounts.extend([built] if built else [])
    taxes = tax_lines(raw, currency, line, path, problems)
    if line_id is None or sku is None or price is None or not valid_quantity:
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
        taxes=taxes,
    )
