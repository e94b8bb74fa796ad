"""The JetStream streams of retail-sync (DESIGN.md section 3): one per bounded context plus the DLQ.

Code speaks canonical subjects (``retail.sales.transaction_recorded.v1``) and canonical stream names
(``SALES``). A namespace (``t1``) prefixes both on the wire (``t1.retail.sales.>``, ``T1_SALES``) so
isolated tests or environments can share one server; only this module knows that mapping.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_NANOS = 1_000_000_000
_DAY_S = 86_400
_TOKEN = re.compile(r"^[A-Za-z0-9_-]+$")
_NAMESPACE = re.compile(r"^[a-z][a-z0-9_]*$")
DLQ = "DLQ"


@dataclass(frozen=True, slots=True)
class StreamSpec:
    """One stream's configuration; ``money_bearing`` streams must be fsynced on every write."""

    name: str
    subjects: tuple[str, ...]
    description: str
    money_bearing: bool
    max_age_s: int
    replicas: int = 1
    storage: str = "file"
    duplicate_window_s: int = 120
    max_msgs_per_subject: int | None = None

    def nats_config(self) -> dict[str, Any]:
        """The stream config in the JetStream API's JSON form (durations in nanoseconds)."""
        return {
            "name": self.name,
            "description": self.description,
            "subjects": list(self.subjects),
            "retention": "limits",
            "discard": "old",
            "storage": self.storage,
            "num_replicas": self.replicas,
            "max_age": self.max_age_s * _NANOS,
            "duplicate_window": self.duplicate_window_s * _NANOS,
            "max_msgs_per_subject": -1 if self.max_msgs_per_subject is None else self.max_msgs_per_subject,
        }


# Canonical stream name, context token, retention in days (0 = keep forever), money-bearing, what it holds.
_CONTEXT_STREAMS: tuple[tuple[str, str, int, bool, str], ...] = (
    ("MASTER", "master", 365, False, "Master data: items, locations, prices, calendars"),
    ("PROMOTION", "promotion", 365, False, "Promotion lifecycle events"),
    ("INVENTORY", "inventory", 90, False, "Stock movements, reservations and positions"),
    ("SALES", "sales", 400, True, "Sales, returns and exchanges recorded from every channel"),
    ("LEDGER", "ledger", 400, True, "Ledger entries posted for sales, refunds and settlements"),
    ("RECON", "recon", 400, True, "Reconciliation results and exceptions"),
    # Never expires: a dead letter is removed only by replaying it, so nothing is dropped silently.
    (DLQ, "dlq", 0, False, "Dead letters: messages a consumer could not process, with the reason"),
)


class Topology:
    """The streams for one namespace ("" in production) and the subject mapping to and from it."""

    def __init__(self, namespace: str = "", replicas: int = 1) -> None:
        if namespace and not _NAMESPACE.match(namespace):
            raise ValueError(f"namespace must be lowercase letters, digits or _, got {namespace!r}")
        if replicas not in (1, 3, 5):
            raise ValueError(f"replicas must be 1, 3 or 5, got {replicas}")
        self.namespace = namespace
        self.replicas = replicas
        self._by_canonical_name = {
            name: StreamSpec(
                name=self.stream_name(name),
                subjects=(self.subject(f"retail.{context}.>"),),
                description=description,
                money_bearing=money_bearing,
                max_age_s=days * _DAY_S,
                replicas=replicas,
            )
            for name, context, days, money_bearing, description in _CONTEXT_STREAMS
        }
        self._by_context = {context: self._by_canonical_name[name] for name, context, *_ in _CONTEXT_STREAMS}

    @property
    def streams(self) -> tuple[StreamSpec, ...]:
        return tuple(self._by_canonical_name.values())

    def stream(self, canonical_name: str) -> StreamSpec:
        """The spec of a stream by canonical name (``SALES``)."""
        try:
            return self._by_canonical_name[canonical_name]
        except KeyError:
            raise ValueError(f"unknown stream {canonical_name!r}") from None

    def stream_name(self, canonical_name: str) -> str:
        return f"{self.namespace.upper()}_{canonical_name}" if self.namespace else canonical_name

    def subject(self, canonical: str) -> str:
        """The subject on the wire for a canonical subject (or filter)."""
        return f"{self.namespace}.{canonical}" if self.namespace else canonical

    def strip(self, namespaced: str) -> str:
        """The canonical subject of a subject on the wire; refuses one outside this namespace."""
        if not self.namespace:
            return namespaced
        prefix = f"{self.namespace}."
        if not namespaced.startswith(prefix):
            raise ValueError(f"subject {namespaced!r} is not in namespace {self.namespace!r}")
        return namespaced[len(prefix) :]

    def stream_for(self, canonical_subject: str) -> StreamSpec:
        """The stream that captures a canonical subject ``retail.<context>.…``."""
        tokens = canonical_subject.split(".")
        if len(tokens) < 3 or tokens[0] != "retail" or tokens[1] not in self._by_context:
            raise ValueError(f"no stream captures subject {canonical_subject!r}")
        return self._by_context[tokens[1]]

    def dlq_subject(self, consumer: str) -> str:
        """The subject (on the wire) where ``consumer``'s dead letters go."""
        if not _TOKEN.match(consumer):
            raise ValueError(f"consumer name must be one subject token, got {consumer!r}")
        return self.subject(f"retail.dlq.{consumer}")

    def export(self) -> dict[str, Any]:
        """Every stream's JetStream config (``nats stream add --config`` form) and its money flag."""
        return {
            "namespace": self.namespace,
            "streams": [
                {"money_bearing": spec.money_bearing, "config": spec.nats_config()} for spec in self.streams
            ],
        }


def render_stream_config(topology: Topology | None = None) -> str:
    """The text of infra/nats/streams.json (stable, so the committed file can be compared)."""
    return json.dumps((topology or Topology()).export(), indent=2) + "\n"


def write_stream_config(path: Path | str, topology: Topology | None = None) -> None:
    Path(path).write_text(render_stream_config(topology), encoding="utf-8")


__all__ = ["DLQ", "StreamSpec", "Topology", "render_stream_config", "write_stream_config"]
