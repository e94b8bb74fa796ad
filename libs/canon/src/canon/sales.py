"""Canonical sales transaction: what the order ledger records for a sale, return or exchange.

Sign convention: every Money here is a non-negative magnitude; direction comes from flags.
A sold line (`returned=False`) and a paid tender (`refund=False`) point "customer pays";
a returned line and a refund tender point "customer is paid back". The transaction's
totals are taken in its own direction: for a `return` the returned lines and refund tenders
count positive; for a `sale` or `exchange` the sold lines and paid tenders do. Shipping
(and its tax) always counts in the transaction's direction (charged on a sale, refunded on
a return). A `sale` holds only sold lines and paid tenders, a `return` only returned lines
and refunds; an `exchange` may mix both.

Construction (`__post_init__`) checks each field's shape only; rules that relate fields
(currency, balance, required references) live in `validate_transaction`, which returns
every problem so the ledger can reject with all its reasons at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Literal

import msgspec

from canon import currency as iso4217
from canon.errors import ValidationError
from canon.event_type import EventType, register
from canon.ids import event_id_for
from canon.money import Money, sum_money

TransactionKind = Literal["sale", "return", "exchange"]
TenderKind = Literal["card", "cash", "gift_card", "loyalty", "marketplace", "store_credit", "other"]
Funding = Literal["retailer", "vendor"]
AccountingTreatment = Literal["promotional_discount", "markdown", "coupon", "manufacturer_coupon"]


def _require_text(field: str, value: str | None, *, optional: bool = False) -> None:
    if value is None and optional:
        return
    if value is None or not value.strip():
        raise ValidationError(field, "must be a non-empty string")


def _require_decimal(field: str, value: str | None, *, low: Decimal, high: Decimal | None = None) -> None:
    if value is None:
        return
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ValidationError(field, f"not a decimal string: {value!r}") from None
    if not number.is_finite() or number < low or (high is not None and number > high):
        bounds = f"[{low}, {high}]" if high is not None else f">= {low}"
        raise ValidationError(field, f"{value!r} is outside {bounds}")


def _require_not_negative(field: str, value: Money | None) -> None:
    if value is not None and value.amount_minor < 0:
        raise ValidationError(field, "must not be negative (direction is carried by flags, not signs)")


class Discount(msgspec.Struct, frozen=True, kw_only=True):
    """A price reduction on one line, traced to the promotion version that made it."""

    amount: Money
    promotion_id: str | None = None
    promotion_version: int | None = None
    funding: Funding = "retailer"
    vendor_id: str | None = None
    vendor_share_pct: str | None = None
    accounting_treatment: AccountingTreatment = "promotional_discount"
    reduces_tax_base: bool = True
    code: str | None = None
    description: str | None = None

    def __post_init__(self) -> None:
        _require_not_negative("amount", self.amount)
        _require_text("promotion_id", self.promotion_id, optional=True)
        if self.promotion_version is not None and self.promotion_version < 1:
            raise ValidationError("promotion_version", "must be >= 1")
        _require_text("vendor_id", self.vendor_id, optional=True)
        _require_decimal("vendor_share_pct", self.vendor_share_pct, low=Decimal(0), high=Decimal(100))


class TaxLine(msgspec.Struct, frozen=True, kw_only=True):
    """Tax charged on one line for one jurisdiction (rate as a decimal fraction, e.g. "0.06")."""

    jurisdiction: str
    amount: Money
    tax_code: str | None = None
    rate: str | None = None
    taxable_base: Money | None = None

    def __post_init__(self) -> None:
        _require_text("jurisdiction", self.jurisdiction)
        _require_not_negative("amount", self.amount)
        _require_decimal("rate", self.rate, low=Decimal(0))
        _require_not_negative("taxable_base", self.taxable_base)


class SalesLine(msgspec.Struct, frozen=True, kw_only=True):
    """One item line. Weighed goods: quantity 1, unit_price = extended price, and the
    measured amount (item's unit of measure, fixed scale) in `weighed_quantity`."""

    line_id: str
    sku: str
    quantity: int
    unit_price: Money
    discounts: list[Discount] = []
    taxes: list[TaxLine] = []
    returned: bool = False
    original_line_id: str | None = None
    category_id: str | None = None
    weighed_quantity: str | None = None

    def __post_init__(self) -> None:
        _require_text("line_id", self.line_id)
        _require_text("sku", self.sku)
        if self.quantity < 1:
            raise ValidationError("quantity", f"must be a positive integer, got {self.quantity}")
        _require_not_negative("unit_price", self.unit_price)
        _require_decimal("weighed_quantity", self.weighed_quantity, low=Decimal(0))

    @property
    def gross(self) -> Money:
        return self.unit_price * self.quantity

    @property
    def discount_total(self) -> Money:
        return sum_money((d.amount for d in self.discounts), self.unit_price.currency)

    @property
    def net(self) -> Money:
        return self.gross - self.discount_total

    @property
    def tax_total(self) -> Money:
        return sum_money((t.amount for t in self.taxes), self.unit_price.currency)


class Tender(msgspec.Struct, frozen=True, kw_only=True):
    """Money taken from (or, with `refund`, given back to) the customer."""

    tender_id: str
    kind: TenderKind
    amount: Money
    refund: bool = False
    processor: str | None = None
    processor_reference: str | None = None
    authorization_code: str | None = None
    card_brand: str | None = None
    gift_card_id: str | None = None

    def __post_init__(self) -> None:
        _require_text("tender_id", self.tender_id)
        _require_not_negative("amount", self.amount)
        _require_text("processor_reference", self.processor_reference, optional=True)
        _require_text("gift_card_id", self.gift_card_id, optional=True)


class PriceAdjustment(msgspec.Struct, frozen=True, kw_only=True):
    """A re-pricing of an item the customer keeps, charged back to the customer.

    When a return breaks a promotion's condition (e.g. buy-X-get-Y), the kept line loses (part of)
    its discount by the same promotion version. The amount is a magnitude in the customer-pays
    direction: it reduces a return's refund and adds to what a sale or exchange charges.
    """

    line_id: str
    """The kept line of the original transaction that is re-priced."""
    amount: Money
    promotion_id: str | None = None
    promotion_version: int | None = None
    reason: str | None = None
    taxes: list[TaxLine] = []
    """Tax on the re-priced amount per jurisdiction (the lost discount had reduced the tax base), in
    the same direction as `amount`; counted in the transaction's tax total."""

    def __post_init__(self) -> None:
        _require_text("line_id", self.line_id)
        _require_not_negative("amount", self.amount)


class SalesTransaction(msgspec.Struct, frozen=True, kw_only=True):
    """A sale, return or exchange as a source system recorded it (one revision of one document).

    Amounts are magnitudes; `returned` lines and `refund` tenders carry direction (module docstring)."""

    source_system: str
    document_id: str
    kind: TransactionKind
    order_id: str
    channel_id: str
    node_id: str
    legal_entity_id: str
    currency: str
    business_date: date
    occurred_at: datetime
    lines: list[SalesLine]
    tenders: list[Tender] = []
    revision: int = 1
    original_document_id: str | None = None
    customer_id: str | None = None
    coupons: list[str] = []
    shipping: Money | None = None
    shipping_taxes: list[TaxLine] = []
    price_adjustments: list[PriceAdjustment] = []
    """Re-pricing of kept items (see PriceAdjustment); empty unless a return broke a promotion."""

    def __post_init__(self) -> None:
        for name in ("source_system", "document_id", "order_id", "channel_id", "node_id", "legal_entity_id"):
            _require_text(name, getattr(self, name))
        iso4217.exponent(self.currency)
        if self.revision < 1:
            raise ValidationError("revision", "must be >= 1")
        if self.occurred_at.tzinfo is None or self.occurred_at.utcoffset() is None:
            raise ValidationError("occurred_at", "must be timezone-aware")
        _require_text("original_document_id", self.original_document_id, optional=True)
        _require_not_negative("shipping", self.shipping)

    @property
    def event_id(self) -> str:
        """Deterministic: a re-sent document revision yields the same id (and is deduplicated)."""
        return event_id_for(self.source_system, self.document_id, self.revision)

    def line_sign(self, line: SalesLine) -> int:
        """+1 when the line counts in the transaction's direction, -1 against it."""
        return 1 if line.returned == (self.kind == "return") else -1

    def tender_sign(self, tender: Tender) -> int:
        return 1 if tender.refund == (self.kind == "return") else -1

    @property
    def gross_total(self) -> Money:
        return self._lines_total(lambda line: line.gross)

    @property
    def discount_total(self) -> Money:
        return self._lines_total(lambda line: line.discount_total)

    @property
    def net_total(self) -> Money:
        return self._lines_total(lambda line: line.net)

    @property
    def shipping_total(self) -> Money:
        shipping = self.shipping or Money.zero(self.currency)
        return shipping + sum_money((t.amount for t in self.shipping_taxes), self.currency)

    @property
    def tax_total(self) -> Money:
        """Tax of the lines, shipping and price adjustments, in the transaction's direction."""
        shipping_tax = sum_money((t.amount for t in self.shipping_taxes), self.currency)
        sign = -1 if self.kind == "return" else 1
        adjustment_tax = sum_money(
            (t.amount * sign for a in self.price_adjustments for t in a.taxes), self.currency
        )
        return self._lines_total(lambda line: line.tax_total) + shipping_tax + adjustment_tax

    @property
    def adjustment_total(self) -> Money:
        """Price adjustments in the transaction's direction (negative on a return: less refunded)."""
        sign = -1 if self.kind == "return" else 1
        return sum_money((a.amount * sign for a in self.price_adjustments), self.currency)

    @property
    def tender_total(self) -> Money:
        return sum_money((t.amount * self.tender_sign(t) for t in self.tenders), self.currency)

    def _lines_total(self, part: Callable[[SalesLine], Money]) -> Money:
        return sum_money((part(line) * self.line_sign(line) for line in self.lines), self.currency)


class TransactionRecorded(msgspec.Struct, frozen=True, kw_only=True):
    """Payload of `retail.sales.transaction_recorded.v1`."""

    transaction: SalesTransaction
    recorded_at: datetime


TRANSACTION_RECORDED = register(
    EventType(
        context="sales",
        name="transaction_recorded",
        version=1,
        payload=TransactionRecorded,
        description="The order ledger accepted a sales transaction (sale, return or exchange) revision.",
    )
)


def validate_transaction(tx: SalesTransaction) -> list[ValidationError]:
    """Every reason the ledger must refuse `tx`, each naming the field path (empty = valid).

    Rules: all amounts in the transaction currency; the kind agrees with line/tender
    directions; a return names its original document; card tenders carry a processor
    reference and gift card tenders a card id; discounts name a promotion together with its
    version and vendor-funded ones the vendor and share; no line is discounted below zero;
    and it balances: lines net + tax + shipping (+ price adjustments) = tenders (each in the
    transaction's direction).
    """
    problems = [ValidationError(path, reason) for path, reason in _reference_problems(tx)]
    if not _single_currency(tx):
        wrong_currency = [
            ValidationError(path, f"currency {money.currency} differs from the transaction's {tx.currency}")
            for path, money in _amounts(tx)
            if money.currency != tx.currency
        ]
        problems += wrong_currency
        if wrong_currency:
            return problems  # totals across currencies would be meaningless
    # Totals in integer minor units (one currency, checked above): the hot path of every posting.
    is_return = tx.kind == "return"
    due = 0
    for index, line in enumerate(tx.lines):
        net = line.unit_price.amount_minor * line.quantity
        for discount in line.discounts:
            net -= discount.amount.amount_minor
        if net < 0:
            problems.append(
                ValidationError(f"lines[{index}].discounts", f"exceed the line gross {line.gross}")
            )
        for tax in line.taxes:
            net += tax.amount.amount_minor
        due += net if line.returned == is_return else -net
    for tax in tx.shipping_taxes:
        due += tax.amount.amount_minor
    if tx.shipping is not None:
        due += tx.shipping.amount_minor
    for adjustment in tx.price_adjustments:
        charged = adjustment.amount.amount_minor
        for tax in adjustment.taxes:
            charged += tax.amount.amount_minor
        due += -charged if is_return else charged
    tendered = 0
    for tender in tx.tenders:
        tendered += tender.amount.amount_minor if tender.refund == is_return else -tender.amount.amount_minor
    if due != tendered:
        problems.append(_imbalance(tx))
    return problems


def _imbalance(tx: SalesTransaction) -> ValidationError:
    due = tx.net_total + tx.tax_total + (tx.shipping or Money.zero(tx.currency)) + tx.adjustment_total
    adjusted = f" + re-pricing {tx.adjustment_total}" if tx.price_adjustments else ""
    return ValidationError(
        "tenders",
        f"transaction does not balance: lines net {tx.net_total} + tax {tx.tax_total} + shipping "
        f"{tx.shipping or Money.zero(tx.currency)}{adjusted} = {due}, tenders total "
        f"{tx.tender_total} (difference {due - tx.tender_total})",
    )


def _single_currency(tx: SalesTransaction) -> bool:
    """True when every amount is in the transaction's currency (no paths built on the happy path)."""
    currency = tx.currency
    for line in tx.lines:
        if line.unit_price.currency != currency:
            return False
        for discount in line.discounts:
            if discount.amount.currency != currency:
                return False
        if not _taxes_in(line.taxes, currency):
            return False
    for tender in tx.tenders:
        if tender.amount.currency != currency:
            return False
    if tx.shipping is not None and tx.shipping.currency != currency:
        return False
    for adjustment in tx.price_adjustments:
        if adjustment.amount.currency != currency or not _taxes_in(adjustment.taxes, currency):
            return False
    return _taxes_in(tx.shipping_taxes, currency)


def _taxes_in(taxes: list[TaxLine], currency: str) -> bool:
    for tax in taxes:
        if tax.amount.currency != currency:
            return False
        if tax.taxable_base is not None and tax.taxable_base.currency != currency:
            return False
    return True


def _reference_problems(tx: SalesTransaction) -> Iterator[tuple[str, str]]:
    if not tx.lines:
        yield "lines", "a transaction needs at least one line"
    if tx.kind == "return" and tx.original_document_id is None:
        yield "original_document_id", "required for a return"
    for index, line in enumerate(tx.lines):
        if tx.kind != "exchange" and line.returned != (tx.kind == "return"):
            yield f"lines[{index}].returned", f"must be {tx.kind == 'return'} in a {tx.kind}"
        for d_index, discount in enumerate(line.discounts):
            path = f"lines[{index}].discounts[{d_index}]"
            if (discount.promotion_id is None) != (discount.promotion_version is None):
                missing = "promotion_version" if discount.promotion_version is None else "promotion_id"
                yield f"{path}.{missing}", "promotion id and version go together"
            if discount.funding == "vendor" and discount.vendor_id is None:
                yield f"{path}.vendor_id", "required for a vendor-funded discount"
            if discount.funding == "vendor" and discount.vendor_share_pct is None:
                yield f"{path}.vendor_share_pct", "required for a vendor-funded discount"
    for index, tender in enumerate(tx.tenders):
        if tx.kind != "exchange" and tender.refund != (tx.kind == "return"):
            yield f"tenders[{index}].refund", f"must be {tx.kind == 'return'} in a {tx.kind}"
        if tender.kind == "card" and tender.processor_reference is None:
            yield f"tenders[{index}].processor_reference", "required for a card tender"
        if tender.kind == "gift_card" and tender.gift_card_id is None:
            yield f"tenders[{index}].gift_card_id", "required for a gift card tender"
    for field, ids in (
        ("line_id", [x.line_id for x in tx.lines]),
        ("tender_id", [t.tender_id for t in tx.tenders]),
    ):
        if len(set(ids)) == len(ids):
            continue
        duplicates = sorted({value for value in ids if ids.count(value) > 1})
        if duplicates:
            yield (
                f"{'lines' if field == 'line_id' else 'tenders'}",
                f"duplicate {field}: {', '.join(duplicates)}",
            )


def _amounts(tx: SalesTransaction) -> Iterator[tuple[str, Money]]:
    for index, line in enumerate(tx.lines):
        yield f"lines[{index}].unit_price", line.unit_price
        for d_index, discount in enumerate(line.discounts):
            yield f"lines[{index}].discounts[{d_index}].amount", discount.amount
        yield from _tax_amounts(f"lines[{index}].taxes", line.taxes)
    for index, tender in enumerate(tx.tenders):
        yield f"tenders[{index}].amount", tender.amount
    if tx.shipping is not None:
        yield "shipping", tx.shipping
    for index, adjustment in enumerate(tx.price_adjustments):
        yield f"price_adjustments[{index}].amount", adjustment.amount
        yield from _tax_amounts(f"price_adjustments[{index}].taxes", adjustment.taxes)
    yield from _tax_amounts("shipping_taxes", tx.shipping_taxes)


def _tax_amounts(prefix: str, taxes: list[TaxLine]) -> Iterator[tuple[str, Money]]:
    for index, tax in enumerate(taxes):
        yield f"{prefix}[{index}].amount", tax.amount
        if tax.taxable_base is not None:
            yield f"{prefix}[{index}].taxable_base", tax.taxable_base
