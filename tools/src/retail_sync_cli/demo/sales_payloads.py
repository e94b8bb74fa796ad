"""The day's sales as the channels send them to the ledger (pure): canonical transactions from the tills
and Amazon, Shopify order and refund webhook bodies from the web shop."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import msgspec
from canon.money import Money
from canon.sales import Discount, SalesLine, SalesTransaction, TaxLine, Tender

from retail_sync_cli.demo.baskets import PricedLine
from retail_sync_cli.demo.day import Order, Return

BOGO_PROMOTION_VERSION = 1


def bogo_promotion_id(trading_day: Any) -> str:
    return f"BOGO-WEEKEND-{trading_day:%Y%m%d}"


def _money(minor: int, currency: str) -> Money:
    return Money(minor, currency)


def _canonical_line(
    line: PricedLine, currency: str, promotion_id: str, *, returned: bool = False
) -> SalesLine:
    discounts = (
        [
            Discount(
                amount=_money(line.discount_minor, currency),
                promotion_id=promotion_id,
                promotion_version=BOGO_PROMOTION_VERSION,
                description="Weekend BOGO",
            )
        ]
        if line.discount_minor
        else []
    )
    taxes = (
        [
            TaxLine(
                jurisdiction=line.jurisdiction,
                amount=_money(line.tax_minor, currency),
                rate=f"{line.tax_rate:f}",
                tax_code=f"{line.jurisdiction}-{line.item.tax_class}".upper(),
            )
        ]
        if line.tax_minor
        else []
    )
    return SalesLine(
        line_id=line.line_id if not returned else f"R{line.line_id}",
        sku=line.item.sku,
        quantity=line.quantity,
        unit_price=_money(line.unit_price_minor, currency),
        discounts=discounts,
        taxes=taxes,
        returned=returned,
        original_line_id=line.line_id if returned else None,
        category_id=line.item.category_id,
    )


def _tender(order: Order, amount_minor: int, *, refund: bool) -> Tender:
    processor = {"card": "adyen", "marketplace": "amazon"}.get(order.tender_kind)
    return Tender(
        tender_id="T1",
        kind=order.tender_kind,  # type: ignore[arg-type]
        amount=_money(amount_minor, order.currency),
        refund=refund,
        processor=processor,
        processor_reference=order.processor_reference,
        card_brand=order.card_brand,
    )


def canonical_sale(order: Order, promotion_id: str) -> SalesTransaction:
    return SalesTransaction(
        source_system=order.source,
        document_id=order.document_id,
        kind="sale",
        order_id=order.order_id,
        channel_id=order.channel_id,
        node_id=order.node_id,
        legal_entity_id=order.legal_entity_id,
        currency=order.currency,
        business_date=order.occurred_at.astimezone(_zone(order)).date(),
        occurred_at=order.occurred_at,
        lines=[_canonical_line(line, order.currency, promotion_id) for line in order.basket.lines],
        tenders=[_tender(order, order.basket.total_minor, refund=False)],
    )


def canonical_return(returned: Return, promotion_id: str) -> SalesTransaction:
    order = returned.order
    return SalesTransaction(
        source_system=order.source,
        document_id=returned.document_id,
        kind="return",
        order_id=order.order_id,
        original_document_id=order.document_id,
        channel_id=order.channel_id,
        node_id=order.node_id,
        legal_entity_id=order.legal_entity_id,
        currency=order.currency,
        business_date=returned.occurred_at.astimezone(_zone(order)).date(),
        occurred_at=returned.occurred_at,
        lines=[_canonical_line(returned.line, order.currency, promotion_id, returned=True)],
        tenders=[_tender(order, returned.line.paid_minor, refund=True)],
    )


def _zone(order: Order) -> Any:
    from zoneinfo import ZoneInfo

    from retail_sync_cli.demo.retailer import region_of

    return ZoneInfo(region_of(order.node_id).timezone)


def _decimal(minor: int) -> str:
    return f"{Decimal(minor).scaleb(-2):f}"


def shopify_order(order: Order) -> dict[str, Any]:
    """An orders/paid webhook body: line items with their tax lines and BOGO allocations, one capture."""
    local = order.occurred_at.astimezone(_zone(order))
    line_items = []
    for line in order.basket.lines:
        line_items.append(
            {
                "id": int(line.line_id),
                "sku": line.item.sku,
                "title": line.item.name,
                "quantity": line.quantity,
                "price": _decimal(line.unit_price_minor),
                "taxable": True,
                "tax_lines": [
                    {
                        "title": line.jurisdiction,
                        "price": _decimal(line.tax_minor),
                        "rate": float(line.tax_rate),
                    }
                ]
                if line.tax_minor
                else [],
                "discount_allocations": [
                    {"amount": _decimal(line.discount_minor), "discount_application_index": 0}
                ]
                if line.discount_minor
                else [],
            }
        )
    return {
        "id": int(order.document_id),
        "name": order.order_id,
        "currency": order.currency,
        "created_at": local.isoformat(),
        "processed_at": local.isoformat(),
        "total_price": _decimal(order.basket.total_minor),
        "total_discounts": _decimal(order.basket.discount_minor),
        "total_tax": _decimal(order.basket.tax_minor),
        "discount_applications": [
            {
                "type": "automatic",
                "title": "Weekend BOGO",
                "value": "100.0",
                "value_type": "percentage",
                "allocation_method": "each",
                "target_selection": "entitled",
                "target_type": "line_item",
            }
        ],
        "line_items": line_items,
        "customer": {"id": 7_000_000 + int(order.document_id) % 100_000},
        "transactions": [
            {
                "id": int(order.document_id) * 10 + 1,
                "kind": "sale",
                "status": "success",
                "gateway": "adyen",
                "amount": _decimal(order.basket.total_minor),
                "currency": order.currency,
                "authorization": order.processor_reference,
                "payment_details": {"credit_card_company": order.card_brand},
            }
        ],
    }


def shopify_refund(returned: Return) -> dict[str, Any]:
    """A refunds/create webhook body refunding one whole line to the card it was paid with."""
    order, line = returned.order, returned.line
    refund_id = int(order.document_id) * 10 + 7
    at = returned.occurred_at.astimezone(_zone(order)).isoformat()
    return {
        "id": refund_id,
        "order_id": int(order.document_id),
        "created_at": at,
        "processed_at": at,
        "refund_line_items": [
            {
                "id": refund_id * 10 + 1,
                "line_item_id": int(line.line_id),
                "quantity": line.quantity,
                "line_item": shopify_order(order)["line_items"][order.basket.lines.index(line)],
            }
        ],
        "transactions": [
            {
                "id": refund_id * 10 + 2,
                "kind": "refund",
                "status": "success",
                "gateway": "adyen",
                "amount": _decimal(line.paid_minor),
                "currency": order.currency,
                "authorization": order.processor_reference,
            }
        ],
    }


def encode(transactions: list[SalesTransaction]) -> bytes:
    return msgspec.json.encode({"transactions": transactions})
