"""One (channel, target) deployment of a version: pending -> sent -> acknowledged, or failed.

A deployment is a publish (the version goes live there) or a withdraw (it is taken off). Its id is
deterministic from the version, action, channel, target and the lifecycle step that caused it, so
planning the same step twice creates nothing new.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec
from canon.ids import deterministic_id

from promotion.domain.errors import InvalidTransition

DeploymentStatus = Literal["pending", "sent", "acknowledged", "failed"]
DeploymentAction = Literal["publish", "withdraw"]
OPEN_STATUSES: frozenset[str] = frozenset({"pending", "sent"})


def deployment_id(
    promotion_id: str, version: int, action: str, channel_id: str, target: str, step: int
) -> str:
    return deterministic_id(
        "promotion-deployment", promotion_id, str(version), action, channel_id, target, str(step)
    )


class Deployment(msgspec.Struct, frozen=True, kw_only=True):
    deployment_id: str
    promotion_id: str
    version: int
    action: DeploymentAction
    channel_id: str
    channel_kind: str
    target: str
    region: str | None
    store_cluster: str | None
    status: DeploymentStatus
    starts_at: datetime
    updated_at: datetime
    reason: str | None = None
    payload: bytes = b""
    content_type: str = "application/json"
    attempts: int = 0
    late_flagged_at: datetime | None = None

    def _to(self, status: DeploymentStatus, at: datetime, reason: str | None = None) -> Deployment:
        return msgspec.structs.replace(self, status=status, updated_at=at, reason=reason)

    def sent(self, at: datetime) -> Deployment:
        if self.status != "pending":
            raise InvalidTransition(self.status, "send")
        return msgspec.structs.replace(self._to("sent", at), attempts=self.attempts + 1)

    def retry_later(self, at: datetime, reason: str) -> Deployment:
        return msgspec.structs.replace(self, attempts=self.attempts + 1, updated_at=at, reason=reason)

    def failed(self, at: datetime, reason: str) -> Deployment:
        if self.status not in OPEN_STATUSES:
            raise InvalidTransition(self.status, "fail")
        return self._to("failed", at, reason)

    def send_failed(self, at: datetime, reason: str) -> Deployment:
        """The last delivery attempt failed: failed, with the attempt counted."""
        return msgspec.structs.replace(self.failed(at, reason), attempts=self.attempts + 1)

    def acknowledged(self, at: datetime) -> Deployment:
        """A channel confirms it applied the payload; a repeated ack changes nothing."""
        if self.status == "acknowledged":
            return self
        if self.status not in OPEN_STATUSES:
            raise InvalidTransition(self.status, "acknowledge")
        return self._to("acknowledged", at)

    def is_late(self, now: datetime) -> bool:
        return (
            self.action == "publish"
            and self.status in OPEN_STATUSES
            and self.late_flagged_at is None
            and self.starts_at <= now
        )
