"""Order-level parts of a Shopify order: shipping, tenders, and spreading order-level tax."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import msgspec
from canon.money import Money
from canon.sales import SalesLine, TaxLine, Tender

from connectors.sales._reading import Problems
from connectors.sales.shopify._common import (
    GATEWAY_TENDER_KINDS,
    items,
    sub_object,
    successful,
    tax_lines,
    tender,
)


def shipping(order: dict[str, Any], currency: str, problems: Problems) -> tuple[Money, list[TaxLine]]:
    """Shipping charged after shipping discounts, and the tax on it."""
    total, taxes = Money.zero(currency), []
    for index, raw in enumerate(items(order, "shipping_lines", 0, "shipping_lines", problems)):
        path = f"shipping_lines[{index}]"
        key = "discounted_price" if "discounted_price" in raw else "price"
        price = problems.money(raw.get(key), currency, 0, f"{path}.{key}")
        total = total + price if price is not None else total
        taxes += tax_lines(raw, currency, 0, path, problems)
    return total, taxes


def tenders(order: dict[str, Any], currency: str, problems: Problems) -> list[Tender]:
    details = sub_object(order, "payment_details")
    brand = details.get("credit_card_company")
    if "transactions" in order:
        transactions = items(order, "transactions", 0, "transactions", problems)
        chosen = successful(transactions, ("sale", "capture")) or successful(transactions, ("authorization",))
        found = [
            tender(raw, currency, 0, f"transactions[{i}]", problems, card_brand=brand) for i, raw in chosen
        ]
        return [t for t in found if t is not None]
    amount = problems.money(order.get("total_price"), currency, 0, "total_price")
    if amount is None or amount.is_zero():
        return []
    names = order.get("payment_gateway_names") or []
    gateway = order.get("gateway") or (names[0] if len(names) == 1 else None)
    fallback = problems.build(
        0,
        "total_price",
        Tender,
        tender_id="payment",
        kind=GATEWAY_TENDER_KINDS.get(str(gateway), "card" if brand else "other"),
        amount=amount,
        processor=gateway,
        card_brand=brand,
    )
    return [fallback] if fallback else []


def spread_order_tax(
    lines: list[SalesLine],
    taxable: list[bool],
    order_taxes: list[TaxLine],
    shipping_taxes: list[TaxLine],
    problems: Problems,
) -> list[SalesLine]:
    """Give each taxable line its share of every order-level tax line, less the shipping tax of
    the same title, in proportion to the line's net amount (largest remainder: nothing is lost)."""
    shipping_by_title: dict[str, list[Money]] = defaultdict(list)
    for tax in shipping_taxes:
        shipping_by_title[tax.jurisdiction].append(tax.amount)
    weights = [
        max(line.net.amount_minor, 0) if flag else 0 for line, flag in zip(lines, taxable, strict=True)
    ]
    shares: list[list[TaxLine]] = [[] for _ in lines]
    for index, tax in enumerate(order_taxes):
        amount = tax.amount
        for part in shipping_by_title[tax.jurisdiction]:
            amount = amount - part
        if amount.is_zero():
            continue
        if sum(weights) == 0:
            problems.add(
                0, f"tax_lines[{index}].price", f"{tax.amount} of tax but no taxable line has a net amount"
            )
            continue
        for share, part in zip(shares, amount.allocate(weights), strict=True):
            if not part.is_zero():
                share.append(TaxLine(jurisdiction=tax.jurisdiction, amount=part, rate=tax.rate))
    return [msgspec.structs.replace(line, taxes=share) for line, share in zip(lines, shares, strict=True)]
