"""Posting rules as data: which side each amount goes to per transaction type, which role it takes,
and which account of a chart a role (qualified by tender, processor, jurisdiction, treatment) maps to.

The rules decide; the code only walks the transaction's amounts. A chart's rules are replaced by
loading new data (`PUT /v1/ledger/posting-rules/{chart_id}`), never by a code change.
"""

from __future__ import annotations

from typing import Literal

import msgspec
from canon.ledger import LineRole, Side
from canon.master.records import validation_error_from

from order_ledger.domain.errors import PostingError

AmountKind = Literal[
    "line", "gift_card_line", "discount", "vendor_funding", "tax", "shipping", "tender", "price_adjustment"
]
AMOUNT_KINDS: tuple[str, ...] = AmountKind.__args__  # type: ignore[attr-defined]


class AccountRule(msgspec.Struct, frozen=True, kw_only=True):
    """`role` posts to `account`; qualifiers left None match anything. The most specific rule wins."""

    role: LineRole
    account: str
    tender_kind: str | None = None
    processor: str | None = None
    jurisdiction: str | None = None
    treatment: str | None = None

    def specificity(self, qualifiers: dict[str, str | None]) -> int | None:
        """How many qualifiers this rule pins down, or None when one of them contradicts it."""
        score = 0
        for name in ("tender_kind", "processor", "jurisdiction", "treatment"):
            wanted = getattr(self, name)
            if wanted is None:
                continue
            if qualifiers.get(name) != wanted:
                return None
            score += 1
        return score


class TransactionTypeRule(msgspec.Struct, frozen=True, kw_only=True):
    """Sides of each amount kind when the amount counts in the transaction's own direction
    (a sold line in a sale, a returned line in a return); an amount counting against it is flipped."""

    sides: dict[str, Side]


class VarianceRule(msgspec.Struct, frozen=True, kw_only=True):
    """A positive variance (a cost) debits `role` and credits the processor's clearing account."""

    role: LineRole


class PostingRules(msgspec.Struct, frozen=True, kw_only=True):
    chart_id: str
    transaction_types: dict[str, TransactionTypeRule]
    roles: dict[str, LineRole]
    """Amount kind -> role (line -> revenue, tax -> tax_payable ...)."""
    treatment_roles: dict[str, LineRole]
    """A discount's accounting treatment -> its role (markdown, contra_revenue ...)."""
    tender_roles: dict[str, LineRole]
    """Tender kind -> role (card -> tender_clearing, gift_card -> gift_card_liability ...)."""
    variance_roles: dict[str, VarianceRule]
    accounts: list[AccountRule]
    cost_centers: dict[str, str] = {}
    """Node id -> cost center dimension."""
    default_cost_center: str | None = None
    gift_card_categories: list[str] = []
    """Items in these categories (or with attribute product_type=gift_card) sell a liability."""

    def __post_init__(self) -> None:
        for kind, rule in self.transaction_types.items():
            missing = [amount for amount in AMOUNT_KINDS if amount not in rule.sides]
            if missing:
                raise PostingError(f"transaction_types.{kind}.sides", f"missing {', '.join(missing)}")
        for amount in AMOUNT_KINDS:
            if amount not in ("discount", "tender", "vendor_funding") and amount not in self.roles:
                raise PostingError(f"roles.{amount}", "missing")

    def side(self, transaction_type: str, amount: AmountKind, sign: int) -> Side:
        rule = self.transaction_types.get(transaction_type)
        if rule is None:
            raise PostingError("kind", f"no posting rule for transaction type {transaction_type!r}")
        side = rule.sides[amount]
        if sign >= 0:
            return side
        return "credit" if side == "debit" else "debit"

    def account(self, role: str, **qualifiers: str | None) -> str:
        best: tuple[int, str] | None = None
        for rule in self.accounts:
            if rule.role != role:
                continue
            score = rule.specificity(qualifiers)
            if score is not None and (best is None or score > best[0]):
                best = (score, rule.account)
        if best is None:
            shown = ", ".join(f"{k}={v}" for k, v in qualifiers.items() if v is not None)
            raise PostingError("accounts", f"chart {self.chart_id}: no account for role {role} ({shown})")
        return best[1]

    def cost_center(self, node_id: str | None) -> str | None:
        return self.cost_centers.get(node_id or "", self.default_cost_center)


def decode_rules(data: bytes | dict[str, object]) -> PostingRules:
    """Rules from JSON (API, files); a bad document names the field."""
    try:
        if isinstance(data, dict):
            return msgspec.convert(data, PostingRules)
        return msgspec.json.decode(data, type=PostingRules)
    except msgspec.ValidationError as error:
        raise validation_error_from(error) from None
    except msgspec.DecodeError as error:
        raise PostingError("rules", str(error)) from None
