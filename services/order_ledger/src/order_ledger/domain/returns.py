"""Returns priced by the original transaction's promotion context.

Rules:
- a returned line is matched to its original line (`original_line_id`, else the first original line
  of the same sku with units left); it gives back the original unit price less its share of every
  discount and plus its share of every tax, shares taken of what is left on the original line after
  earlier returns (largest remainder, so all returns together give back exactly what was paid);
- returning more units than are left on the original line is refused;
- when the return touches a buy-X-get-Y promotion, the mechanic of the SAME promotion version is run
  on the units the customer keeps; if they now earn less discount than they hold, the difference is
  charged back as price adjustments on the kept lines (a return's refund shrinks by it), with the
  tax on that amount when the lost discount had reduced the tax base (`_repricing_taxes`); a unit
  takes part in the mechanic only if it is in the promotion's scope (an empty buy set = any item in
  scope);
- without the original (not received yet) the return is taken as sent and flagged; a promotion
  version the ledger has not seen cannot re-price and is flagged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import msgspec
from canon.money import Money
from canon.sales import PriceAdjustment, SalesLine, SalesTransaction, TaxLine

from order_ledger.domain.buy_get import Unit, buy_get_discount
from order_ledger.domain.errors import PostingError
from order_ledger.domain.promotion_terms import PromotionTerms

PromotionKey = tuple[str, int]


@dataclass
class _Left:
    """What is left of one original line after earlier returns and re-pricings."""

    line: SalesLine
    quantity: int
    discounts: list[int]
    taxes: list[int]
    added_taxes: dict[str, int] = field(default_factory=dict)
    """Tax charged on re-pricing in a jurisdiction the line itself had no tax line for."""

    @classmethod
    def of(cls, line: SalesLine) -> _Left:
        return cls(
            line,
            line.quantity,
            [d.amount.amount_minor for d in line.discounts],
            [t.amount.amount_minor for t in line.taxes],
        )

    def discount_of(self, key: PromotionKey) -> int:
        return sum(
            left for d, left in zip(self.line.discounts, self.discounts, strict=True) if _key(d) == key
        )


@dataclass(frozen=True)
class PricedReturn:
    transaction: SalesTransaction
    flags: tuple[str, ...] = field(default=())


def _key(discount: object) -> PromotionKey | None:
    promotion_id = getattr(discount, "promotion_id", None)
    version = getattr(discount, "promotion_version", None)
    return None if promotion_id is None or version is None else (promotion_id, version)


def _share(left: int, units: int, of_units: int, currency: str) -> int:
    """`units` of `of_units`' share of `left`, by largest remainder (the last units take the rest)."""
    if units >= of_units or left == 0:
        return left
    return Money(left, currency).allocate([units, of_units - units])[0].amount_minor


def _state(original: SalesTransaction, earlier: Sequence[SalesTransaction]) -> dict[str, _Left]:
    state = {line.line_id: _Left.of(line) for line in original.lines if not line.returned}
    for tx in earlier:
        for line in tx.lines:
            left = state.get(line.original_line_id or "")
            if not line.returned or left is None:
                continue
            left.quantity -= line.quantity
            for index, discount in enumerate(line.discounts[: len(left.discounts)]):
                left.discounts[index] -= discount.amount.amount_minor
            for index, tax in enumerate(line.taxes):
                if index < len(left.taxes):
                    left.taxes[index] -= tax.amount.amount_minor
                else:  # tax a re-pricing added in a jurisdiction the line had none for
                    j = tax.jurisdiction
                    left.added_taxes[j] = left.added_taxes.get(j, 0) - tax.amount.amount_minor
        for adjustment in tx.price_adjustments:
            _apply_adjustment(state.get(adjustment.line_id), adjustment)
    return state


def _apply_adjustment(left: _Left | None, adjustment: PriceAdjustment) -> None:
    if left is None:
        return
    jurisdictions = [tax.jurisdiction for tax in left.line.taxes]
    for tax in adjustment.taxes:  # the kept line now carries (and gives back on return) this tax too
        if tax.jurisdiction in jurisdictions:
            left.taxes[jurisdictions.index(tax.jurisdiction)] += tax.amount.amount_minor
        else:
            left.added_taxes[tax.jurisdiction] = (
                left.added_taxes.get(tax.jurisdiction, 0) + tax.amount.amount_minor
            )
    remaining = adjustment.amount.amount_minor
    for index, discount in enumerate(left.line.discounts):
        if _key(discount) == (adjustment.promotion_id, adjustment.promotion_version) and remaining:
            taken = min(remaining, left.discounts[index])
            left.discounts[index] -= taken
            remaining -= taken


def price_return(
    tx: SalesTransaction,
    original: SalesTransaction | None,
    earlier_returns: Sequence[SalesTransaction],
    promotions: Mapping[PromotionKey, PromotionTerms],
    categories: Mapping[str, str | None] | None = None,
) -> PricedReturn:
    """`categories`: sku -> category from master data, for lines that do not name theirs (a promotion
    scoped or set by category must still see the item's category)."""
    if not any(line.returned for line in tx.lines) or tx.original_document_id is None:
        return PricedReturn(tx)
    if original is None:
        return PricedReturn(tx, (f"original_not_found:{tx.original_document_id}",))
    state = _state(original, earlier_returns)
    flags: list[str] = []
    touched: list[_Left] = []
    lines = [
        _price_line(index, line, state, touched, flags) if line.returned else line
        for index, line in enumerate(tx.lines)
    ]
    adjustments = _reprice_kept(original, state, touched, promotions, categories or {}, flags)
    priced = msgspec.structs.replace(tx, lines=lines, price_adjustments=adjustments)
    return PricedReturn(priced, tuple(flags))


def _category(line: SalesLine, categories: Mapping[str, str | None]) -> str | None:
    return line.category_id if line.category_id is not None else categories.get(line.sku)


def _repricing_taxes(
    original: SalesTransaction, kept: SalesLine, key: PromotionKey, charge: Money
) -> list[TaxLine]:
    """The tax on a re-priced amount: the lost discount had reduced the kept line's tax base, so the
    base grows by `charge` and the tax with it, per jurisdiction, at the line's rate (its tax line's
    `rate`, else tax / taxable base on the line). A line whose discount left it nothing taxed (the
    free item of a BOGO) takes the jurisdictions and rates of the original's lines of the same sku,
    else of its other taxed lines. Rounded half up per jurisdiction. A discount that did not reduce the
    tax base (`reduces_tax_base=False`) adds no tax."""
    if not any(_key(d) == key and d.reduces_tax_base for d in kept.discounts):
        return []
    rates = _rates(kept)
    if not rates:
        same_sku = [line for line in original.lines if line.sku == kept.sku and line is not kept]
        others = [line for line in original.lines if line is not kept and not line.returned]
        for candidates in (same_sku, others):
            for line in candidates:
                for jurisdiction, rate in _rates(line).items():
                    rates.setdefault(jurisdiction, rate)
            if rates:
                break
    taxes = []
    for jurisdiction, rate in rates.items():
        amount = int((charge.amount_minor * rate).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        if amount:
            taxes.append(
                TaxLine(jurisdiction=jurisdiction, amount=Money(amount, charge.currency), rate=str(rate))
            )
    return taxes


def _rates(line: SalesLine) -> dict[str, Decimal]:
    """Jurisdiction -> tax rate of a line (stated, else derived from its taxed base; 0 base: unknown)."""
    rates: dict[str, Decimal] = {}
    net = line.unit_price.amount_minor * line.quantity - sum(
        d.amount.amount_minor for d in line.discounts if d.reduces_tax_base
    )
    for tax in line.taxes:
        if tax.rate is not None:
            rates[tax.jurisdiction] = Decimal(tax.rate)
        elif tax.taxable_base is not None and tax.taxable_base.amount_minor > 0:
            rates[tax.jurisdiction] = Decimal(tax.amount.amount_minor) / tax.taxable_base.amount_minor
        elif net > 0:
            rates[tax.jurisdiction] = Decimal(tax.amount.amount_minor) / net
    return rates


def _match(line: SalesLine, state: dict[str, _Left]) -> _Left | None:
    if line.original_line_id is not None:
        return state.get(line.original_line_id)
    return next((left for left in state.values() if left.line.sku == line.sku and left.quantity > 0), None)


def _price_line(
    index: int, line: SalesLine, state: dict[str, _Left], touched: list[_Left], flags: list[str]
) -> SalesLine:
    left = _match(line, state)
    if left is None:
        flags.append(f"unmatched_return_line:{line.line_id}")
        return line
    if line.quantity > left.quantity:
        raise PostingError(
            f"lines[{index}].quantity",
            f"returns {line.quantity} but only {left.quantity} of original line {left.line.line_id} remain",
        )
    currency = left.line.unit_price.currency
    discount_shares = [_share(a, line.quantity, left.quantity, currency) for a in left.discounts]
    tax_shares = [_share(a, line.quantity, left.quantity, currency) for a in left.taxes]
    added_shares = {
        jurisdiction: _share(a, line.quantity, left.quantity, currency)
        for jurisdiction, a in left.added_taxes.items()
    }
    left.discounts = [a - s for a, s in zip(left.discounts, discount_shares, strict=True)]
    left.taxes = [a - s for a, s in zip(left.taxes, tax_shares, strict=True)]
    left.added_taxes = {j: a - added_shares[j] for j, a in left.added_taxes.items()}
    left.quantity -= line.quantity
    touched.append(left)
    original = left.line
    return msgspec.structs.replace(
        line,
        sku=original.sku,
        unit_price=original.unit_price,
        category_id=original.category_id,
        original_line_id=original.line_id,
        discounts=[
            msgspec.structs.replace(d, amount=Money(s, currency))
            for d, s in zip(original.discounts, discount_shares, strict=True)
        ],
        taxes=[
            msgspec.structs.replace(t, amount=Money(s, currency), taxable_base=None)
            for t, s in zip(original.taxes, tax_shares, strict=True)
        ]
        + [TaxLine(jurisdiction=j, amount=Money(s, currency)) for j, s in added_shares.items() if s],
    )


def _reprice_kept(
    original: SalesTransaction,
    state: dict[str, _Left],
    touched: list[_Left],
    promotions: Mapping[PromotionKey, PromotionTerms],
    categories: Mapping[str, str | None],
    flags: list[str],
) -> list[PriceAdjustment]:
    keys = sorted({k for line in original.lines for d in line.discounts if (k := _key(d)) is not None})
    adjustments: list[PriceAdjustment] = []
    for key in keys:
        terms = promotions.get(key)
        if terms is None:
            flags.append(f"unknown_promotion:{key[0]}:v{key[1]}")
            continue
        mechanic = terms.buy_get
        if mechanic is None or not any(
            left.discount_of(key) or terms.can_buy(left.line.sku, _category(left.line, categories))
            for left in touched
        ):
            continue
        kept_units = [
            Unit(left.line.unit_price.amount_minor, left.line.sku, _category(left.line, categories))
            for left in state.values()
            for _ in range(left.quantity)
        ]
        earned = buy_get_discount(terms, kept_units)
        held = {line_id: left.discount_of(key) for line_id, left in state.items() if left.quantity > 0}
        charge = sum(held.values()) - earned
        if charge <= 0:
            continue
        flags.append(f"repriced:{key[0]}:v{key[1]}")
        ids = [line_id for line_id, amount in held.items() if amount > 0]
        parts = Money(charge, original.currency).allocate([held[line_id] for line_id in ids])
        for line_id, part in zip(ids, parts, strict=True):
            adjustments.append(
                PriceAdjustment(
                    line_id=line_id,
                    amount=part,
                    promotion_id=key[0],
                    promotion_version=key[1],
                    reason=f"buy {mechanic.buy_qty} get {mechanic.get_qty} no longer met by the kept items",
                    taxes=_repricing_taxes(original, state[line_id].line, key, part),
                )
            )
            _apply_adjustment(state[line_id], adjustments[-1])
    return adjustments
