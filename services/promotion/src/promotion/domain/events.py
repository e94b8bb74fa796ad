"""Domain events a Promotion appends to ``events``; the application layer puts them in the outbox."""

from __future__ import annotations

from datetime import datetime

import msgspec

from promotion.domain.version import PromotionVersion


class PromotionEvent(msgspec.Struct, frozen=True, kw_only=True):
    promotion_id: str
    version: int
    by: str
    at: datetime


class PromotionVersionDrafted(PromotionEvent, frozen=True, kw_only=True):
    pass


class PromotionVersionSubmitted(PromotionEvent, frozen=True, kw_only=True):
    pass


class PromotionVersionRejected(PromotionEvent, frozen=True, kw_only=True):
    why: str


class PromotionVersionPublished(PromotionEvent, frozen=True, kw_only=True):
    """An approved version, in full: distribution validates and sends it to the channels."""

    content: PromotionVersion


class PromotionVersionScheduled(PromotionEvent, frozen=True, kw_only=True):
    pass


class PromotionVersionActivated(PromotionEvent, frozen=True, kw_only=True):
    superseded_version: int | None = None


class PromotionEnded(PromotionEvent, frozen=True, kw_only=True):
    pass


class PromotionWithdrawn(PromotionEvent, frozen=True, kw_only=True):
    """The promotion is off: no earlier approved version to fall back to."""

    why: str


class PromotionRolledBack(PromotionEvent, frozen=True, kw_only=True):
    """``version`` was withdrawn and ``restored_version`` is live again with ``restored_status``."""

    why: str
    restored_version: int
    restored_status: str
