"""Order-to-posting latency from the ledger's histogram `order_ledger_order_to_posting_seconds`:
per channel of receipt, the count, mean, estimated percentiles and the distribution over buckets."""

from __future__ import annotations

import math

import msgspec

from console.views.prometheus import samples

LATENCY_METRIC = "order_ledger_order_to_posting_seconds"


class LatencyBucket(msgspec.Struct, frozen=True, kw_only=True):
    upper_bound_s: float | None
    """None for the open-ended last bucket (+Inf)."""
    count: int
    """Postings in this bucket only (not cumulative)."""


class ChannelLatency(msgspec.Struct, frozen=True, kw_only=True):
    received_via: str
    count: int
    mean_s: float | None
    p50_s: float | None
    p95_s: float | None
    p99_s: float | None
    buckets: list[LatencyBucket]


def quantile(q: float, cumulative: list[tuple[float, float]]) -> float | None:
    """Estimate the q-quantile from cumulative (upper bound, count) buckets, as Prometheus'
    histogram_quantile does: linear within the bucket; the +Inf bucket answers its lower bound."""
    if not cumulative or cumulative[-1][1] <= 0:
        return None
    rank = q * cumulative[-1][1]
    lower_bound, lower_count = 0.0, 0.0
    for upper_bound, count in cumulative:
        if count >= rank:
            if math.isinf(upper_bound):
                return lower_bound
            if count == lower_count:
                return upper_bound
            return lower_bound + (upper_bound - lower_bound) * (rank - lower_count) / (count - lower_count)
        lower_bound, lower_count = upper_bound, count
    return lower_bound


def latency_by_channel(exposition: str) -> list[ChannelLatency]:
    """One entry per `received_via` label, sorted by it; empty when nothing was posted yet."""
    buckets: dict[str, list[tuple[float, float]]] = {}
    sums: dict[str, float] = {}
    for sample in samples(exposition, f"{LATENCY_METRIC}_bucket", f"{LATENCY_METRIC}_sum"):
        channel = sample.labels.get("received_via", "")
        if sample.name.endswith("_sum"):
            sums[channel] = sample.value
        else:
            buckets.setdefault(channel, []).append((float(sample.labels["le"]), sample.value))
    summaries = []
    for channel in sorted(buckets):
        cumulative = sorted(buckets[channel])
        total = int(cumulative[-1][1]) if cumulative else 0
        if total == 0:
            continue
        previous = 0.0
        spread = []
        for upper_bound, count in cumulative:
            spread.append(
                LatencyBucket(
                    upper_bound_s=None if math.isinf(upper_bound) else upper_bound,
                    count=round(count - previous),
                )
            )
            previous = count
        summaries.append(
            ChannelLatency(
                received_via=channel,
                count=total,
                mean_s=sums.get(channel, 0.0) / total,
                p50_s=quantile(0.5, cumulative),
                p95_s=quantile(0.95, cumulative),
                p99_s=quantile(0.99, cumulative),
                buckets=spread,
            )
        )
    return summaries
