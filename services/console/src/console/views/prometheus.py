"""Samples out of a Prometheus text exposition (what a service's /metrics answers)."""

from __future__ import annotations

import math

import msgspec
from prometheus_client.parser import text_string_to_metric_families


class Sample(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    labels: dict[str, str]
    value: float


def samples(exposition: str, *names: str) -> list[Sample]:
    """Every sample whose name is one of `names` (e.g. `x_bucket`, `x_total`), in exposition order."""
    wanted = set(names)
    found: list[Sample] = []
    for family in text_string_to_metric_families(exposition):
        for sample in family.samples:
            if sample.name in wanted:
                found.append(Sample(name=sample.name, labels=dict(sample.labels), value=float(sample.value)))
    return found


def as_count(value: float) -> int:
    """A counter or gauge value shown as a whole number (NaN counts as 0)."""
    return 0 if math.isnan(value) else round(value)
