"""HTTP request bodies of the promotion API (the version content itself is the canonical
PromotionDocument JSON, see contracts/events/promotion/version_published.v1.schema.json)."""

from __future__ import annotations

from typing import Any

import msgspec


class EditRequest(msgspec.Struct, frozen=True, kw_only=True):
    changes: dict[str, Any]
    """Top-level fields of the version to replace, e.g. {"mechanic": {...}}."""
    why: str = "edited"


class LifecycleRequest(msgspec.Struct, frozen=True, kw_only=True):
    why: str | None = None
    version: int | None = None
    """The version the caller reviewed; refused (409) if the action applies to another one."""


class AcknowledgementRequest(msgspec.Struct, frozen=True, kw_only=True):
    accepted: bool = True
    reason: str | None = None


class RedemptionRequest(msgspec.Struct, frozen=True, kw_only=True):
    code: str
    reference: str
    """The sale that used the code (order or receipt id): a repeat with the same reference is a no-op."""
    customer_id: str | None = None


class RedemptionView(msgspec.Struct, frozen=True, kw_only=True):
    code: str
    reference: str
    promotion_id: str
    version: int
    customer_id: str | None
    redeemed_at: str
    source: str
    over_limit: bool
