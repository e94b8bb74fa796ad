"""Business metrics of the inventory service (Prometheus default registry, served at /metrics)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

from inventory.application.use_cases.balance_snapshot import SnapshotResult
from inventory.application.use_cases.reserve_stock_batch import ReserveOutcome
from inventory.domain.errors import InsufficientStock

MOVEMENTS = Counter(
    "inventory_movements_total",
    "Movement records received, by channel (rest, nats) and outcome (accepted, duplicate, rejected).",
    ["via", "outcome"],
)
RESERVATIONS = Counter(
    "inventory_reservations_total",
    "Reservation requests by outcome: reserved, replayed, refused (insufficient stock), invalid.",
    ["outcome"],
)
RESERVATIONS_EXPIRED = Counter("inventory_reservations_expired_total", "Reservations expired by their TTL.")
RESERVATION_BATCH_SIZE = Histogram(
    "inventory_reservation_batch_size",
    "Reservations recorded per transaction by the batcher.",
    buckets=(1, 2, 5, 10, 20, 50, 100, 200, 500),
)
SNAPSHOT_LINES = Counter(
    "inventory_snapshot_lines_total",
    "Snapshot lines balanced, by node and outcome (balanced, adjusted, exception).",
    ["node", "action"],
)
DRIFT_RATE = Gauge(
    "inventory_drift_rate",
    "Share of snapshot lines with drift over the trailing window, by node.",
    ["node"],
)
DRIFT_UNITS = Gauge(
    "inventory_drift_units",
    "Absolute drift in units over the trailing window, by node.",
    ["node"],
)


def count_reservation(outcome: ReserveOutcome) -> None:
    if outcome.reservation is not None:
        RESERVATIONS.labels("replayed" if outcome.replayed else "reserved").inc()
    elif isinstance(outcome.error, InsufficientStock):
        RESERVATIONS.labels("refused").inc()
    else:
        RESERVATIONS.labels("invalid").inc()


def count_snapshot_lines(result: SnapshotResult) -> SnapshotResult:
    """Balanced snapshot lines into the drift metrics, per node and outcome."""
    for outcome in result.outcomes:
        if outcome.node and outcome.status in ("balanced", "adjusted", "exception"):
            SNAPSHOT_LINES.labels(outcome.node, outcome.status).inc()
    return result
