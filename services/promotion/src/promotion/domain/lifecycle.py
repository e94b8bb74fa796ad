"""Lifecycle statuses of a promotion version and which verb moves which status where.

draft -> submitted -> approved -> scheduled -> active -> ended; a submitted version can be
rejected back to draft; an approved, scheduled or active version can be withdrawn. When a newer
version becomes active the older live one is ``superseded``; a draft or submitted version left
behind by an edit is ``discarded``.
"""

from __future__ import annotations

from typing import Literal

import msgspec

from promotion.domain.version import PromotionVersion

VersionStatus = Literal[
    "draft", "submitted", "approved", "scheduled", "active", "ended", "withdrawn", "superseded", "discarded"
]

LIVE_STATUSES: frozenset[str] = frozenset({"approved", "scheduled", "active"})
"""Statuses of a version that is, or is about to be, offered to customers."""

TRANSITIONS: dict[str, tuple[frozenset[str], VersionStatus]] = {
    "submit": (frozenset({"draft"}), "submitted"),
    "reject": (frozenset({"submitted"}), "draft"),
    "approve": (frozenset({"submitted"}), "approved"),
    "schedule": (frozenset({"approved"}), "scheduled"),
    "activate": (frozenset({"scheduled"}), "active"),
    "end": (frozenset({"active"}), "ended"),
    "withdraw": (LIVE_STATUSES, "withdrawn"),
}
"""verb -> (statuses it may start from, status it leads to)."""

EDITABLE_AFTER: frozenset[str] = frozenset(
    {"draft", "approved", "scheduled", "active", "ended", "withdrawn", "superseded"}
)
"""An edit (new draft N+1) is refused only while version N awaits a decision (submitted)."""


class VersionRecord(msgspec.Struct, frozen=True, kw_only=True):
    """A version with its lifecycle state; replaced (never mutated) on each transition."""

    content: PromotionVersion
    status: VersionStatus
    author: str
    approved_by: str | None = None
    status_before_superseded: VersionStatus | None = None

    @property
    def version(self) -> int:
        return self.content.version
