"""Consumer lag and outbox backlog per service, from the messaging gauges in each /metrics."""

from __future__ import annotations

import msgspec

from console.views.prometheus import as_count, samples


class ConsumerLag(msgspec.Struct, frozen=True, kw_only=True):
    service: str
    consumer: str
    lag: int


def consumer_lags(expositions: dict[str, str]) -> list[ConsumerLag]:
    """`messaging_consumer_lag{consumer}` of every service, largest lag first."""
    lags = [
        ConsumerLag(service=service, consumer=s.labels.get("consumer", ""), lag=as_count(s.value))
        for service, text in expositions.items()
        for s in samples(text, "messaging_consumer_lag")
    ]
    return sorted(lags, key=lambda lag: (-lag.lag, lag.service, lag.consumer))


def outbox_backlogs(expositions: dict[str, str]) -> dict[str, int]:
    return {
        service: sum(as_count(s.value) for s in samples(text, "messaging_outbox_backlog"))
        for service, text in sorted(expositions.items())
    }
