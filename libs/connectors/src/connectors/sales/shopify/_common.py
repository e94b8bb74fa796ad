"""Pieces shared by the Shopify order and refund parsers: JSON, discounts, taxes, tenders."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import msgspec
from canon.money import Money
from canon.sales import Discount, TaxLine, Tender, TenderKind

from connectors.sales._reading import Problems

PromotionResolver = Callable[[Mapping[str, Any]], tuple[str, int] | None]
"""Given a Shopify discount application, the canonical (promotion id, version), or None if unknown."""

GATEWAY_TENDER_KINDS: Mapping[str, TenderKind] = {
    "gift_card": "gift_card",
    "cash": "cash",
    "shopify_store_credit": "store_credit",
    "store_credit": "store_credit",
    "shopify_payments": "card",
    "authorize_net": "card",
    "stripe": "card",
    "braintree": "card",
    "adyen": "card",
    "bogus": "card",  # Shopify's test gateway simulates card payments
}
"""Shopify gateway name -> tender kind; unknown gateways are "other" (the ledger decides)."""

_DECODER = msgspec.json.Decoder(float_hook=Decimal)


def decode(payload: bytes, wrapper: str, problems: Problems) -> dict[str, Any]:
    """The resource object, unwrapped from the REST form ``{"order": {...}}`` if so wrapped."""
    try:
        document = _DECODER.decode(payload)
    except (msgspec.DecodeError, UnicodeDecodeError) as error:
        problems.add(0, None, f"not valid JSON: {error}")
        problems.raise_if_any()
    if isinstance(document, dict) and isinstance(document.get(wrapper), dict):
        document = document[wrapper]
    if not isinstance(document, dict):
        problems.add(0, None, f"expected a JSON object holding a {wrapper}")
        problems.raise_if_any()
    return document


def sub_object(source: Mapping[str, Any], key: str) -> dict[str, Any]:
    """A nested object, or an empty one when absent or not an object."""
    value = source.get(key)
    return value if isinstance(value, dict) else {}


def items(source: Mapping[str, Any], key: str, line: int, path: str, problems: Problems) -> list[Any]:
    value = source.get(key) or []
    if not isinstance(value, list):
        problems.add(line, path, f"expected a list, got {type(value).__name__}")
        return []
    return value


def discount(amount: Money, application: Mapping[str, Any], resolver: PromotionResolver | None) -> Discount:
    """A discount code is a coupon; automatic, script and manual discounts are promotional."""
    resolved = resolver(application) if resolver is not None else None
    return Discount(
        amount=amount,
        promotion_id=resolved[0] if resolved else None,
        promotion_version=resolved[1] if resolved else None,
        accounting_treatment="coupon"
        if application.get("type") == "discount_code"
        else "promotional_discount",
        code=application.get("code"),
        description=application.get("title") or application.get("description"),
    )


def tax_lines(
    source: Mapping[str, Any], currency: str | None, line: int, path: str, problems: Problems
) -> list[TaxLine]:
    taxes = []
    prefix = f"{path}.tax_lines" if path else "tax_lines"
    for index, raw in enumerate(items(source, "tax_lines", line, prefix, problems)):
        at = f"{prefix}[{index}]"
        amount = problems.money(raw.get("price"), currency, line, f"{at}.price")
        title = problems.text(raw, "title", line, f"{at}.title")
        rate = raw.get("rate")
        if amount is not None and title is not None:
            tax = problems.build(
                line,
                at,
                TaxLine,
                jurisdiction=title,
                amount=amount,
                rate=None if rate is None else f"{Decimal(rate):f}",
            )
            taxes.extend([tax] if tax else [])
    return taxes


def tender(
    transaction: Mapping[str, Any],
    currency: str | None,
    line: int,
    path: str,
    problems: Problems,
    *,
    card_brand: str | None = None,
) -> Tender | None:
    """One Shopify transaction. `authorization` is the gateway's reference, kept for settlement."""
    gateway = transaction.get("gateway")
    receipt = sub_object(transaction, "receipt")
    details = sub_object(transaction, "payment_details")
    tender_id = problems.text(transaction, "id", line, f"{path}.id")
    if transaction.get("currency") is not None and transaction.get("currency") != currency:
        problems.add(line, f"{path}.currency", f"{transaction.get('currency')!r} differs from {currency!r}")
    amount = problems.money(transaction.get("amount"), currency, line, f"{path}.amount")
    if tender_id is None or amount is None:
        return None
    kind = GATEWAY_TENDER_KINDS.get(str(gateway), "card" if details else "other")
    return problems.build(
        line,
        path,
        Tender,
        tender_id=tender_id,
        kind=kind,
        amount=amount,
        refund=transaction.get("kind") == "refund",
        processor=gateway,
        processor_reference=transaction.get("authorization") or receipt.get("authorization"),
        card_brand=details.get("credit_card_company") or card_brand,
        gift_card_id=str(receipt["gift_card_id"]) if receipt.get("gift_card_id") else None,
    )


def successful(transactions: list[Any], kinds: tuple[str, ...]) -> list[tuple[int, dict[str, Any]]]:
    """(index, transaction) of the successful ones of the given kinds (no status = success)."""
    return [
        (index, t)
        for index, t in enumerate(transactions)
        if isinstance(t, dict) and t.get("kind") in kinds and t.get("status", "success") == "success"
    ]
