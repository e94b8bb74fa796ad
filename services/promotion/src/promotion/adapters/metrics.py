"""Business metrics of the promotion service (Prometheus default registry)."""

from __future__ import annotations

from prometheus_client import Counter

from promotion.domain.distribution.deployment import Deployment

DEPLOYMENT_STATUS = Counter(
    "promotion_deployments_total",
    "Deployment status changes by channel, action and status (success = acknowledged).",
    ["channel", "action", "status"],
)
DEPLOYMENTS_LATE = Counter(
    "promotion_deployments_late_total",
    "Deployments not acknowledged by the promotion's start instant, by channel.",
    ["channel"],
)


def count_status(deployment: Deployment) -> None:
    DEPLOYMENT_STATUS.labels(deployment.channel_id, deployment.action, deployment.status).inc()


def count_late(deployments: list[Deployment]) -> None:
    for deployment in deployments:
        DEPLOYMENTS_LATE.labels(deployment.channel_id).inc()
