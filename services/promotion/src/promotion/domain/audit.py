"""The audit trail: one entry per lifecycle transition, saying who, when, why, and what changed."""

from __future__ import annotations

from datetime import datetime

import msgspec

from promotion.domain.lifecycle import VersionStatus


class AuditEntry(msgspec.Struct, frozen=True, kw_only=True):
    promotion_id: str
    version: int
    action: str
    from_status: VersionStatus | None
    to_status: VersionStatus
    by: str
    at: datetime
    why: str
