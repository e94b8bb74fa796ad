"""``retail.recon.*`` event payloads that other contexts act on.

The order ledger turns each :class:`VariancePosted` into a balanced journal entry (processor fee,
currency conversion, marketplace commission, chargeback, reserve) by its posting rules.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

import msgspec

from canon.event_type import EventType, register
from canon.money import Money

VarianceKind = Literal[
    "processor_fee", "currency_conversion", "marketplace_commission", "chargeback", "reserve", "other"
]


class VariancePosted(msgspec.Struct, frozen=True, kw_only=True):
    variance_id: str
    """Deterministic from the settlement line and kind: re-running a reconciliation repeats the id."""
    kind: VarianceKind
    amount: Money
    """Positive: a cost to the retailer (reduces what is settled); negative: a gain."""
    legal_entity_id: str
    business_date: date
    processor: str
    settlement_report_id: str
    processor_reference: str | None = None
    channel_id: str | None = None
    order_id: str | None = None
    memo: str | None = None


VARIANCE_POSTED = register(
    EventType(
        context="recon",
        name="variance_posted",
        version=1,
        payload=VariancePosted,
        description="A settlement variance was explained and is to be posted by the ledger.",
    )
)
