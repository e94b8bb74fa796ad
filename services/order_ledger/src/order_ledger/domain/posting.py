"""A sales transaction -> one balanced journal entry in its currency, by the chart's posting rules.

Rules: every amount of the transaction is posted (gross lines to revenue or, for gift cards sold,
to the gift card liability; each discount to the role of its accounting treatment, less the vendor's
share, which becomes a vendor funding receivable; tax per jurisdiction; shipping; each tender to its
clearing or liability account with processor and reference; re-pricing of kept items). The promotion
version's own treatment and funding win over what the channel sent; a version the ledger has not
seen is posted as sent and flagged `unknown_promotion:<id>:v<version>`, never dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

import msgspec
from canon.ledger import JournalEntry, LineRole
from canon.sales import Discount, SalesTransaction

from order_ledger.domain.errors import PostingError
from order_ledger.domain.journal import EntryLines, journal_entry_id, reversal_entry_id
from order_ledger.domain.periods import PeriodChoice, choose_period
from order_ledger.domain.reference import PostingReference
from order_ledger.domain.rules import AmountKind, PostingRules

Dimensions = tuple[tuple[str, str], ...]


class _Poster:
    """Walks one transaction's amounts into `lines`; the sides of its transaction type are looked up
    once, and each (role, qualifiers) -> account resolution is memoised for the batch."""

    def __init__(
        self,
        tx: SalesTransaction,
        rules: PostingRules,
        lines: EntryLines,
        dims: Dimensions,
        accounts: dict[tuple[str | None, ...], str],
    ) -> None:
        self.tx, self.rules, self.lines, self.dims, self.accounts = tx, rules, lines, dims, accounts
        type_rule = rules.transaction_types.get(tx.kind)
        if type_rule is None:
            raise PostingError("kind", f"no posting rule for transaction type {tx.kind!r}")
        self.sides = type_rule.sides
        self.chart_id = rules.chart_id

    def post(
        self,
        amount: AmountKind,
        role: LineRole,
        amount_minor: int,
        sign: int,
        *,
        extra_dims: Dimensions = (),
        treatment: str | None = None,
        tender_kind: str | None = None,
        processor: str | None = None,
        processor_reference: str | None = None,
        jurisdiction: str | None = None,
        memo: str | None = None,
    ) -> None:
        if amount_minor == 0:
            return
        key = (self.chart_id, role, tender_kind, processor, jurisdiction, treatment)
        account = self.accounts.get(key)
        if account is None:
            account = self.rules.account(
                role,
                tender_kind=tender_kind,
                processor=processor,
                jurisdiction=jurisdiction,
                treatment=treatment,
            )
            self.accounts[key] = account
        side = self.sides[amount]
        if sign < 0:
            side = "credit" if side == "debit" else "debit"
        self.lines.add_amount(
            side,
            amount_minor,
            (
                role,
                account,
                self.dims + extra_dims if extra_dims else self.dims,
                tender_kind,
                processor,
                processor_reference,
                jurisdiction,
                memo,
            ),
        )


def base_dimensions(tx: SalesTransaction, rules: PostingRules) -> Dimensions:
    dims = [("legal_entity", tx.legal_entity_id), ("node", tx.node_id), ("channel", tx.channel_id)]
    if (cost_center := rules.cost_center(tx.node_id)) is not None:
        dims.append(("cost_center", cost_center))
    return tuple(dims)


def post_transaction(
    tx: SalesTransaction,
    ref: PostingReference,
    *,
    posted_at: datetime,
    flags: Sequence[str] = (),
    period: PeriodChoice | None = None,
) -> JournalEntry | None:
    """The entry for `tx` (None when every amount is zero: nothing to post)."""
    rules = ref.rules_for(tx.legal_entity_id)
    period = period or choose_period(
        tx.legal_entity_id, ref.calendars.get(tx.legal_entity_id, []), tx.business_date
    )
    entry_flags = [*flags, *period.flags]
    lines = EntryLines(tx.currency)
    poster = _Poster(tx, rules, lines, base_dimensions(tx, rules), ref.account_cache)
    is_return = tx.kind == "return"
    tax_role = rules.roles["tax"]
    for line in tx.lines:
        sign = 1 if line.returned == is_return else -1
        amount: AmountKind = (
            "gift_card_line" if ref.is_gift_card(line.sku, line.category_id, rules) else "line"
        )
        poster.post(amount, rules.roles[amount], line.unit_price.amount_minor * line.quantity, sign)
        for discount in line.discounts:
            _post_discount(poster, ref, discount, sign, entry_flags)
        for tax in line.taxes:
            poster.post("tax", tax_role, tax.amount.amount_minor, sign, jurisdiction=tax.jurisdiction)
    if tx.shipping is not None:
        poster.post("shipping", rules.roles["shipping"], tx.shipping.amount_minor, 1)
    for tax in tx.shipping_taxes:
        poster.post("tax", rules.roles["tax"], tax.amount.amount_minor, 1, jurisdiction=tax.jurisdiction)
    for tender in tx.tenders:
        poster.post(
            "tender",
            rules.tender_roles[tender.kind],
            tender.amount.amount_minor,
            1 if tender.refund == is_return else -1,
            tender_kind=tender.kind,
            processor=tender.processor,
            processor_reference=tender.processor_reference,
            memo=f"gift card {tender.gift_card_id}" if tender.gift_card_id else None,
        )
    adjustment_sign = -1 if tx.kind == "return" else 1
    for adjustment in tx.price_adjustments:
        promotion = _promotion_dimension(adjustment.promotion_id, adjustment.promotion_version)
        poster.post(
            "price_adjustment",
            rules.roles["price_adjustment"],
            adjustment.amount.amount_minor,
            adjustment_sign,
            extra_dims=promotion,
            memo=f"re-priced kept line {adjustment.line_id}: {adjustment.reason or 'condition broken'}",
        )
        for tax in adjustment.taxes:  # the tax on what the kept item now costs
            poster.post(
                "tax", tax_role, tax.amount.amount_minor, adjustment_sign, jurisdiction=tax.jurisdiction
            )
    journal_lines = lines.lines()
    if not journal_lines:
        return None
    if ref.gl_accounts:  # nothing to check against until the chart of accounts is replicated
        entry_flags += [
            f"unknown_account:{a}"
            for a in ref.unknown_accounts(tx.legal_entity_id, {x.account for x in journal_lines})
        ]
    return JournalEntry(
        entry_id=journal_entry_id(tx.source_system, tx.document_id, tx.revision),
        legal_entity_id=tx.legal_entity_id,
        currency=tx.currency,
        business_date=tx.business_date,
        period_id=period.period_id,
        posted_at=posted_at,
        source_system=tx.source_system,
        document_id=tx.document_id,
        revision=tx.revision,
        order_id=tx.order_id,
        transaction_kind=tx.kind,
        channel_id=tx.channel_id,
        node_id=tx.node_id,
        lines=journal_lines,
        late=period.late,
        flags=sorted(set(entry_flags)),
        original_document_id=tx.original_document_id,
    )


def _promotion_dimension(promotion_id: str | None, version: int | None) -> Dimensions:
    return (("promotion", f"{promotion_id}:v{version}"),) if promotion_id is not None else ()


def _post_discount(
    poster: _Poster, ref: PostingReference, discount: Discount, sign: int, flags: list[str]
) -> None:
    rules = poster.rules
    terms = None
    if discount.promotion_id is not None and discount.promotion_version is not None:
        terms = ref.promotions.get((discount.promotion_id, discount.promotion_version))
        if terms is None:
            flags.append(f"unknown_promotion:{discount.promotion_id}:v{discount.promotion_version}")
    treatment = (
        terms.treatment if terms is not None and terms.treatment else None
    ) or discount.accounting_treatment
    if terms is not None:
        funding, vendor_id, share = terms.funding_source, terms.vendor_id, terms.vendor_share_pct
    else:
        funding, vendor_id, share = discount.funding, discount.vendor_id, discount.vendor_share_pct
    vendor_part = 0
    if funding == "vendor" and share is not None:
        exact = Decimal(discount.amount.amount_minor) * Decimal(share) / Decimal(100)
        vendor_part = min(
            discount.amount.amount_minor, int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
        )
    promotion = _promotion_dimension(discount.promotion_id, discount.promotion_version)
    role = rules.treatment_roles.get(treatment, rules.treatment_roles["promotional_discount"])
    poster.post(
        "discount",
        role,
        discount.amount.amount_minor - vendor_part,
        sign,
        extra_dims=promotion,
        treatment=treatment,
    )
    vendor_dims = promotion + ((("vendor", vendor_id),) if vendor_id else ())
    poster.post(
        "vendor_funding",
        rules.roles["vendor_funding"],
        vendor_part,
        sign,
        extra_dims=vendor_dims,
        treatment=treatment,
    )


def reversal_of(entry: JournalEntry, *, posted_at: datetime, period: PeriodChoice) -> JournalEntry:
    """The mirror image of `entry` (a superseded document revision is taken back in full)."""
    lines = [
        msgspec.structs.replace(line, side="credit" if line.side == "debit" else "debit")
        for line in entry.lines
    ]
    return msgspec.structs.replace(
        entry,
        entry_id=reversal_entry_id(entry.entry_id),
        posted_at=posted_at,
        period_id=period.period_id,
        late=period.late,
        lines=lines,
        flags=sorted({"reversal", *period.flags}),
        reverses_entry_id=entry.entry_id,
    )
