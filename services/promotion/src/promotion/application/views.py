"""What the API answers about a promotion: its versions with their status, and the audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from promotion.domain.promotion import Promotion


class VersionView(msgspec.Struct, frozen=True, kw_only=True):
    version: int
    status: str
    author: str
    approved_by: str | None
    content: dict[str, Any]


class AuditView(msgspec.Struct, frozen=True, kw_only=True):
    version: int
    action: str
    from_status: str | None
    to_status: str
    by: str
    at: datetime
    why: str


class PromotionView(msgspec.Struct, frozen=True, kw_only=True):
    promotion_id: str
    status: str
    """Status of the latest version."""
    latest_version: int
    active_version: int | None
    versions: list[VersionView]


def promotion_view(promotion: Promotion) -> PromotionView:
    active = promotion.active_version
    return PromotionView(
        promotion_id=promotion.promotion_id,
        status=promotion.status,
        latest_version=promotion.latest.version,
        active_version=active.version if active else None,
        versions=[
            VersionView(
                version=record.version,
                status=record.status,
                author=record.author,
                approved_by=record.approved_by,
                content=msgspec.to_builtins(record.content, order="sorted"),
            )
            for record in promotion.records
        ],
    )


def audit_view(promotion: Promotion) -> list[AuditView]:
    return [
        AuditView(
            version=e.version,
            action=e.action,
            from_status=e.from_status,
            to_status=e.to_status,
            by=e.by,
            at=e.at,
            why=e.why,
        )
        for e in promotion.audit
    ]
