"""Each panel's data: which operations it calls, and the pure view that shapes the answers."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import msgspec

from console.errors import UpstreamError, UpstreamProblemError
from console.upstream import Upstream
from console.views.deployments import (
    ChannelMetricTally,
    ChannelRegionTally,
    DeploymentRow,
    by_channel_and_region,
    by_channel_from_metrics,
    deployment_rows,
)
from console.views.drift import DriftSummary, drift_summary
from console.views.latency import ChannelLatency, latency_by_channel
from console.views.messaging import ConsumerLag, consumer_lags, outbox_backlogs
from console.views.readiness import ReadinessRow, readiness_row, unreadable_row
from console.views.trace import OrderTraceView, legal_entities_of, order_trace

MAX_PAGE = 1000


class PromotionProblem(msgspec.Struct, frozen=True, kw_only=True):
    promotion_id: str
    status: int
    detail: str


class DeploymentsPanel(msgspec.Struct, frozen=True, kw_only=True):
    promotion_ids: list[str]
    deployments: list[DeploymentRow]
    by_channel_region: list[ChannelRegionTally]
    late: int
    since_start_by_channel: list[ChannelMetricTally] | None
    """From the promotion service's counters (all promotions); None when /metrics was unreadable."""
    problems: list[PromotionProblem]


class LatencyPanel(msgspec.Struct, frozen=True, kw_only=True):
    channels: list[ChannelLatency]


class ReadinessPanel(msgspec.Struct, frozen=True, kw_only=True):
    period_id: str
    entities: list[ReadinessRow]


class MessagingPanel(msgspec.Struct, frozen=True, kw_only=True):
    consumer_lag: list[ConsumerLag]
    outbox_backlog: dict[str, int]
    unreachable: list[str]


async def deployments_panel(
    upstream: Upstream, api_key: str, promotion_ids: list[str], now: datetime
) -> DeploymentsPanel:
    found: list[dict[str, Any]] = []
    problems: list[PromotionProblem] = []
    for promotion_id in dict.fromkeys(promotion_ids):
        try:
            found += await upstream.call(
                "promotion", "ListPromotionDeployments", api_key=api_key, path={"promotion_id": promotion_id}
            )
        except UpstreamProblemError as error:
            if error.status in (401, 403):
                raise
            problems.append(
                PromotionProblem(promotion_id=promotion_id, status=error.status, detail=error.detail)
            )
    rows = deployment_rows(found, now)
    try:
        since_start: list[ChannelMetricTally] | None = by_channel_from_metrics(
            await upstream.metrics_text("promotion")
        )
    except UpstreamError:
        since_start = None
    return DeploymentsPanel(
        promotion_ids=list(dict.fromkeys(promotion_ids)),
        deployments=rows,
        by_channel_region=by_channel_and_region(rows),
        late=sum(row.late for row in rows),
        since_start_by_channel=since_start,
        problems=problems,
    )


async def drift_panel(
    upstream: Upstream, api_key: str, start: datetime | None, end: datetime | None
) -> DriftSummary:
    query = {"start": start.isoformat() if start else None, "end": end.isoformat() if end else None}
    return drift_summary(await upstream.call("inventory", "GetDriftRates", api_key=api_key, query=query))


async def latency_panel(upstream: Upstream) -> LatencyPanel:
    return LatencyPanel(channels=latency_by_channel(await upstream.metrics_text("order_ledger")))


async def legal_entity_names(upstream: Upstream, api_key: str) -> dict[str, str | None]:
    """Legal entities known to master data, by id (first 1000)."""
    page = await upstream.call(
        "master_data",
        "ListMasterRecords",
        api_key=api_key,
        path={"record_type": "legal_entity"},
        query={"limit": MAX_PAGE},
    )
    return {item["key"]: (item.get("record") or {}).get("name") for item in page.get("items") or []}


async def readiness_panel(
    upstream: Upstream, api_key: str, period_id: str, legal_entity_ids: list[str]
) -> ReadinessPanel:
    names: dict[str, str | None] = (
        dict.fromkeys(legal_entity_ids) if legal_entity_ids else await legal_entity_names(upstream, api_key)
    )

    async def one(entity: str) -> ReadinessRow:
        try:
            report = await upstream.call(
                "reconciliation",
                "GetCloseReadiness",
                api_key=api_key,
                path={"legal_entity_id": entity, "period_id": period_id},
            )
        except UpstreamProblemError as error:
            if error.status == 401:
                raise
            return unreadable_row(entity, names[entity], period_id, error.detail)
        return readiness_row(report, names[entity])

    rows = await asyncio.gather(*(one(entity) for entity in sorted(names)))
    return ReadinessPanel(period_id=period_id, entities=list(rows))


async def trace_panel(upstream: Upstream, api_key: str, order_id: str) -> OrderTraceView:
    trace = await upstream.call("order_ledger", "TraceOrder", api_key=api_key, path={"order_id": order_id})
    exceptions: list[dict[str, Any]] = []
    for entity in legal_entities_of(trace):
        exceptions += await upstream.call(
            "reconciliation",
            "ListReconExceptions",
            api_key=api_key,
            query={"legal_entity_id": entity, "limit": MAX_PAGE},
        )
    return order_trace(trace, exceptions)


async def messaging_panel(upstream: Upstream) -> MessagingPanel:
    expositions: dict[str, str] = {}
    unreachable: list[str] = []
    for service in upstream.services:
        try:
            expositions[service] = await upstream.metrics_text(service)
        except UpstreamError:
            unreachable.append(service)
    return MessagingPanel(
        consumer_lag=consumer_lags(expositions),
        outbox_backlog=outbox_backlogs(expositions),
        unreachable=unreachable,
    )
