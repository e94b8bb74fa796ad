"""POSLog line items -> canonical lines, tenders, discounts and taxes.

NCR ACS reports a loyalty reward twice: a detail record (``acs:detailedData="true"``, naming
the item) and a summary record (``acs:summarizedActivity`` only). Only monetary detail records
become discounts, so a reward is never counted twice; points and messages carry no money.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from xml.etree.ElementTree import Element

from canon.money import Money, sum_money
from canon.sales import Discount, SalesLine, TaxLine, Tender, TenderKind

from connectors.sales._reading import Problems
from connectors.sales.poslog._xml import Names

PosPromotionResolver = Callable[[Mapping[str, str]], tuple[str, int] | None]
"""Given the POS reward's fields (promotion_id, event_id, reward_type), the canonical
(promotion id, version), or None if unknown (the discount then keeps promotion_id None)."""

TENDER_KINDS: Mapping[str, TenderKind] = {
    "Cash": "cash",
    "CreditDebit": "card",
    "Credit": "card",
    "Debit": "card",
    "GiftCard": "gift_card",
    "GiftCertificate": "gift_card",
    "StoreCredit": "store_credit",
    "Loyalty": "loyalty",
}
"""ARTS TenderType -> tender kind; others (Check, Voucher, Coupon ...) are "other"."""


@dataclass(frozen=True)
class Context:
    """Where we are: the transaction being read, for problem reports."""

    names: Names
    problems: Problems
    position: int
    path: str
    currency: str

    def money(self, element: Element, path: str, *tags: str) -> Money | None:
        """The amount at `tags` below `element` (a problem naming its path if missing or bad)."""
        where = "/".join([path, *(self.names.local_name(tag) for tag in tags)])
        return self.problems.money(self.names.text(element, *tags), self.currency, self.position, where)


@dataclass(frozen=True)
class PendingDiscount:
    """A reward not yet placed on a line: on the line it references, else spread by net."""

    discount: Discount
    operator_sequence: str | None


def item_line(item: Element, path: str, sequence: str, ctx: Context) -> SalesLine | None:
    """A Sale or Return element. Weighed goods (fractional quantity) become quantity 1 at the
    extended price, keeping the weight; RetailPriceModifiers become discounts."""
    names, returned = ctx.names, ctx.names.local(item) == "Return"
    sku = names.text(item, "ItemID") or names.text(item, "POSIdentity", "POSItemID")
    if sku is None:
        ctx.problems.add(ctx.position, f"{path}/ItemID", "required, missing")
    quantity = ctx.problems.decimal(names.text(item, "Quantity") or "1", ctx.position, f"{path}/Quantity")
    has_regular = names.find(item, "RegularSalesUnitPrice") is not None
    price_tag = "RegularSalesUnitPrice" if has_regular else "ActualSalesUnitPrice"
    unit_price = ctx.money(item, path, price_tag)
    extended = ctx.money(item, path, "ExtendedAmount")
    modifiers = item.findall(names.tag("RetailPriceModifier"))
    discounts = [d for d in (_modifier(m, f"{path}/RetailPriceModifier", ctx) for m in modifiers) if d]
    taxes = [t for t in (tax(t, f"{path}/Tax", ctx) for t in item.findall(names.tag("Tax"))) if t]
    if sku is None or quantity is None or unit_price is None or extended is None:
        return None
    if quantity <= 0:
        ctx.problems.add(ctx.position, f"{path}/Quantity", f"must be positive, got {quantity}")
        return None
    weighed = quantity != quantity.to_integral_value()
    if weighed:
        gross = Money.from_decimal(unit_price.to_decimal() * quantity, ctx.currency)
    else:
        gross = unit_price * int(quantity)
    modified = sum_money((d.amount for d in discounts), ctx.currency)
    if gross - modified != extended:
        reason = f"{extended} is not {price_tag} x Quantity less price modifiers ({gross} - {modified})"
        ctx.problems.add(ctx.position, f"{path}/ExtendedAmount", reason)
        return None
    return ctx.problems.build(
        ctx.position,
        path,
        SalesLine,
        line_id=sequence,
        sku=sku,
        quantity=1 if weighed else int(quantity),
        unit_price=gross if weighed else unit_price,
        weighed_quantity=f"{quantity:f}" if weighed else None,
        discounts=discounts,
        taxes=taxes,
        returned=returned,
        category_id=names.text(item, "MerchandiseHierarchy"),
    )


def _modifier(modifier: Element, path: str, ctx: Context) -> Discount | None:
    amount = ctx.money(modifier, path, "Amount")
    if amount is None or amount.is_zero():
        return None
    return ctx.problems.build(
        ctx.position,
        path,
        Discount,
        amount=abs(amount),
        description=" ".join(filter(None, ("POS promotion", ctx.names.text(modifier, "PromotionID")))),
        accounting_treatment="markdown"
        if ctx.names.text(modifier, "PromotionID") is None
        else "promotional_discount",
    )


def reward(
    element: Element, path: str, ctx: Context, resolver: PosPromotionResolver | None
) -> PendingDiscount | None:
    names = ctx.names
    if (
        element.get(names.acs("detailedData")) != "true"
        or names.text(element, names.acs("RewardCategory")) != "Monetary"
    ):
        return None
    amount = ctx.money(element, path, names.acs("ExtendedRewardAmount"))
    if amount is None or amount.is_zero():
        return None
    if not amount.is_negative():
        ctx.problems.add(
            ctx.position,
            f"{path}/acs:ExtendedRewardAmount",
            f"a monetary reward must reduce the price, got {amount}",
        )
        return None
    fields = {
        "promotion_id": names.text(element, "PromotionID") or "",
        "event_id": names.text(element, "EventID") or "",
        "reward_type": names.text(element, names.acs("RewardType")) or "",
    }
    resolved = resolver(fields) if resolver is not None else None
    discount = ctx.problems.build(
        ctx.position,
        path,
        Discount,
        amount=-amount,
        promotion_id=resolved[0] if resolved else None,
        promotion_version=resolved[1] if resolved else None,
        description="POS promotion {promotion_id} event {event_id} ({reward_type})".format(**fields),
    )
    reference = names.text(element, names.acs("OperatorSequenceReference"))
    return PendingDiscount(discount, reference) if discount else None


def tender(element: Element, path: str, sequence: str, ctx: Context) -> Tender | None:
    names = ctx.names
    amount = ctx.money(element, path, "Amount")
    change = (
        ctx.money(element, path, "TenderChange", "Amount")
        if names.find(element, "TenderChange") is not None
        else None
    )
    if amount is None:
        return None
    return ctx.problems.build(
        ctx.position,
        path,
        Tender,
        tender_id=sequence,
        kind=TENDER_KINDS.get(element.get("TenderType", ""), "other"),
        amount=amount - change if change else amount,
        refund=element.get("TypeCode") == "Refund",
        processor_reference=names.text(element, "Authorization", "ReferenceNumber"),
        authorization_code=names.text(element, "Authorization", "AuthorizationCode"),
        gift_card_id=names.text(element, "GiftCard", "CardNumber"),
    )


def tax(element: Element, path: str, ctx: Context) -> TaxLine | None:
    names = ctx.names
    amount = ctx.money(element, path, "Amount")
    base = (
        ctx.money(element, path, "TaxableAmount")
        if names.find(element, "TaxableAmount") is not None
        else None
    )
    percent_text = names.text(element, "Percent")
    percent = ctx.problems.decimal(percent_text, ctx.position, f"{path}/Percent") if percent_text else None
    if amount is None:
        return None
    return ctx.problems.build(
        ctx.position,
        path,
        TaxLine,
        jurisdiction=names.text(element, "TaxAuthority") or element.get("TaxType") or "UNSPECIFIED",
        tax_code=names.text(element, "TaxGroupID"),
        amount=amount,
        rate=None if percent is None else f"{Decimal(percent) / 100:f}",
        taxable_base=base,
    )
