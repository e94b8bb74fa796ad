"""The stream topology a service provisions and publishes to, from its settings."""

from __future__ import annotations

from messaging.topology import Topology

from retail_platform.settings import ServiceSettings


def topology_for(settings: ServiceSettings) -> Topology:
    """Namespaced for tests and shared servers; R3 on a cluster (RETAIL_SYNC_NATS_STREAM_REPLICAS=3)."""
    return Topology(settings.nats_namespace, replicas=settings.nats_stream_replicas)
