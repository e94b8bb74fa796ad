"""Promotion deployments by channel and region, late ones flagged.

A deployment is late when the promotion service flagged it (not acknowledged by the promotion's start
instant), or when a publish is still pending/sent after its start instant (flagging runs on a timer).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from console.views.prometheus import as_count, samples

OPEN_STATUSES = frozenset({"pending", "sent"})
STATUSES = ("acknowledged", "sent", "pending", "failed")


class DeploymentRow(msgspec.Struct, frozen=True, kw_only=True):
    deployment_id: str
    promotion_id: str
    version: int
    action: str
    channel_id: str
    target: str
    region: str | None
    status: str
    starts_at: str
    updated_at: str
    reason: str | None
    late: bool


class ChannelRegionTally(msgspec.Struct, frozen=True, kw_only=True):
    channel_id: str
    region: str
    total: int
    acknowledged: int
    sent: int
    pending: int
    failed: int
    late: int


class ChannelMetricTally(msgspec.Struct, frozen=True, kw_only=True):
    """Since the promotion service started, all promotions (from its /metrics)."""

    channel_id: str
    acknowledged: int
    failed: int
    late: int


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def is_late(deployment: dict[str, Any], now: datetime) -> bool:
    if deployment.get("late_flagged_at"):
        return True
    return (
        deployment.get("action") == "publish"
        and deployment.get("status") in OPEN_STATUSES
        and _instant(str(deployment["starts_at"])) <= now
    )


def deployment_rows(deployments: list[dict[str, Any]], now: datetime) -> list[DeploymentRow]:
    """Late first, then by channel, region, target; the payload is never shown."""
    rows = [
        DeploymentRow(
            deployment_id=str(d["deployment_id"]),
            promotion_id=str(d["promotion_id"]),
            version=int(d["version"]),
            action=str(d["action"]),
            channel_id=str(d["channel_id"]),
            target=str(d["target"]),
            region=d.get("region"),
            status=str(d["status"]),
            starts_at=str(d["starts_at"]),
            updated_at=str(d["updated_at"]),
            reason=d.get("reason"),
            late=is_late(d, now),
        )
        for d in deployments
    ]
    return sorted(rows, key=lambda r: (not r.late, r.channel_id, r.region or "", r.target, r.promotion_id))


def by_channel_and_region(rows: list[DeploymentRow]) -> list[ChannelRegionTally]:
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for row in rows:
        tally = counts.setdefault((row.channel_id, row.region or "-"), dict.fromkeys((*STATUSES, "late"), 0))
        if row.status in tally:
            tally[row.status] += 1
        tally["late"] += int(row.late)
    return [
        ChannelRegionTally(
            channel_id=channel,
            region=region,
            total=sum(tally[s] for s in STATUSES),
            acknowledged=tally["acknowledged"],
            sent=tally["sent"],
            pending=tally["pending"],
            failed=tally["failed"],
            late=tally["late"],
        )
        for (channel, region), tally in sorted(counts.items())
    ]


def by_channel_from_metrics(exposition: str) -> list[ChannelMetricTally]:
    """Acknowledged and failed publish deployments and late ones per channel, from the counters
    `promotion_deployments_total{channel,action,status}` and `promotion_deployments_late_total{channel}`."""
    tallies: dict[str, dict[str, int]] = {}
    for sample in samples(exposition, "promotion_deployments_total", "promotion_deployments_late_total"):
        tally = tallies.setdefault(
            sample.labels.get("channel", ""), {"acknowledged": 0, "failed": 0, "late": 0}
        )
        if sample.name == "promotion_deployments_late_total":
            tally["late"] += as_count(sample.value)
        elif sample.labels.get("action") == "publish" and sample.labels.get("status") in (
            "acknowledged",
            "failed",
        ):
            tally[sample.labels["status"]] += as_count(sample.value)
    return [ChannelMetricTally(channel_id=channel, **tally) for channel, tally in sorted(tallies.items())]
