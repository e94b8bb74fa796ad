"""HTTP request bodies of the reconciliation API."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec

AdjustmentKind = Literal[
    "processor_fee", "currency_conversion", "marketplace_commission", "chargeback", "reserve", "other"
]


class RunRequest(msgspec.Struct, frozen=True, kw_only=True):
    legal_entity_id: str
    as_of: datetime | None = None
    """Timing windows are judged as of this instant (default: now)."""


class AssignRequest(msgspec.Struct, frozen=True, kw_only=True):
    owner: str


class AdjustingEntryBody(msgspec.Struct, frozen=True, kw_only=True):
    kind: AdjustmentKind
    amount_minor: int
    """Positive: a cost to the retailer."""
    currency: str
    memo: str | None = None


class ProposeRequest(msgspec.Struct, frozen=True, kw_only=True):
    reason_code: str
    adjusting_entry: AdjustingEntryBody | None = None


class RejectRequest(msgspec.Struct, frozen=True, kw_only=True):
    note: str = ""


class CutoffRequest(msgspec.Struct, frozen=True, kw_only=True):
    cutoff_at: datetime
