"""Prometheus metrics of the messaging layer (registered once, in the default registry)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

CONSUMER_PROCESSED = Counter(
    "messaging_consumer_processed_total",
    "Messages a consumer finished (handler applied or duplicate skipped), by outcome",
    ["consumer", "outcome"],
)
CONSUMER_REDELIVERED = Counter(
    "messaging_consumer_redelivered_total",
    "Deliveries that were not a message's first (num_delivered > 1)",
    ["consumer"],
)
CONSUMER_RETRIED = Counter(
    "messaging_consumer_retried_total",
    "Transient handler failures answered with a delayed nak",
    ["consumer"],
)
CONSUMER_DEAD_LETTERED = Counter(
    "messaging_consumer_dead_lettered_total",
    "Messages a consumer sent to the DLQ",
    ["consumer"],
)
CONSUMER_LAG = Gauge(
    "messaging_consumer_lag",
    "Messages in the stream not yet delivered to the consumer (consumer info num_pending)",
    ["consumer"],
)
OUTBOX_BACKLOG = Gauge("messaging_outbox_backlog", "Outbox rows not yet published")
OUTBOX_PUBLISHED = Counter("messaging_outbox_published_total", "Outbox rows published by the relay")
DLQ_DEPTH = Gauge("messaging_dlq_depth", "Messages waiting in the DLQ stream")
