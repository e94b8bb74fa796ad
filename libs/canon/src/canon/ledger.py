"""``retail.ledger.*`` event payloads: the journal the order ledger posts.

Reconciliation matches settlement lines to the tender-clearing lines of these entries (by processor
reference, then amount and date); the trace API and the ERP export read the same shape. Every entry
balances per currency: the sum of debit amounts equals the sum of credit amounts.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

import msgspec

from canon import _checks
from canon.errors import ValidationError
from canon.event_type import EventType, register
from canon.money import Money

Side = Literal["debit", "credit"]
LineRole = Literal[
    "revenue",
    "contra_revenue",
    "markdown",
    "vendor_funding_receivable",
    "tax_payable",
    "tender_clearing",
    "gift_card_liability",
    "loyalty_liability",
    "store_credit_liability",
    "shipping_revenue",
    "cogs",
    "inventory",
    "processor_fee",
    "fx_variance",
    "marketplace_commission",
    "chargeback",
    "reserve",
    "bank",
    "rounding",
    "other",
]


class JournalLine(msgspec.Struct, frozen=True, kw_only=True):
    """One side of an entry. ``amount`` is positive; ``side`` says debit or credit."""

    account: str
    """GL account number in the legal entity's chart of accounts."""
    role: LineRole
    side: Side
    amount: Money
    dimensions: dict[str, str] = {}
    """Accounting dimensions: legal_entity, node, channel, cost_center, promotion, vendor ..."""
    tender_kind: str | None = None
    processor: str | None = None
    processor_reference: str | None = None
    jurisdiction: str | None = None
    memo: str | None = None

    def __post_init__(self) -> None:
        if self.amount.amount_minor < 0:
            raise ValidationError("amount", "must not be negative; use the side for direction")


class JournalEntry(msgspec.Struct, frozen=True, kw_only=True):
    entry_id: str
    """Deterministic from the source document, so a re-sent document maps to the same entry."""
    legal_entity_id: str
    currency: str
    business_date: date
    period_id: str
    posted_at: datetime
    source_system: str
    document_id: str
    revision: int = 1
    order_id: str | None = None
    transaction_kind: str
    """sale, return, exchange, shipment (COGS), variance, adjustment ..."""
    channel_id: str | None = None
    node_id: str | None = None
    lines: list[JournalLine]
    late: bool = False
    """Its business date fell in a closed period; it was posted to the next open one."""
    flags: list[str] = []
    """E.g. ``unknown_promotion:<id>:v<version>``: posted, and visible for follow-up."""
    reverses_entry_id: str | None = None
    """Set on an entry that reverses an earlier one (a superseded document revision)."""
    original_document_id: str | None = None
    """For a return: the document it gives back (trace and reconciliation of refunds)."""

    def __post_init__(self) -> None:
        _checks.utc_instant("posted_at", self.posted_at)
        if not self.lines:
            raise ValidationError("lines", "an entry needs at least one line")
        debit = credit = 0
        for index, line in enumerate(self.lines):
            if line.amount.currency != self.currency:
                raise ValidationError(f"lines[{index}].amount.currency", f"expected {self.currency}")
            if line.side == "debit":
                debit += line.amount.amount_minor
            else:
                credit += line.amount.amount_minor
        if debit != credit:
            raise ValidationError("lines", f"unbalanced: debits {debit} != credits {credit} (minor units)")


class EntryPosted(msgspec.Struct, frozen=True, kw_only=True):
    entry: JournalEntry


ENTRY_POSTED = register(
    EventType(
        context="ledger",
        name="entry_posted",
        version=1,
        payload=EntryPosted,
        description="A balanced journal entry was posted (tender-clearing lines carry processor references).",
    )
)
