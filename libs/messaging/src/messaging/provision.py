"""Create or update the topology's streams so the server matches the code (idempotent)."""

from __future__ import annotations

from typing import Any

import structlog
from nats.js import JetStreamContext
from nats.js.api import StreamConfig
from nats.js.errors import NotFoundError

from messaging.topology import StreamSpec, Topology

log = structlog.get_logger(__name__)


def _differences(wanted: dict[str, Any], current: StreamConfig) -> list[str]:
    """The fields whose server value differs from ``wanted`` (fields we do not set are ignored)."""
    have = current.as_dict()
    changed = []
    for field, value in wanted.items():
        existing = have.get(field)
        if field == "subjects":
            same = isinstance(existing, list) and sorted(existing) == sorted(value)
        elif field == "description":
            same = (existing or "") == value
        else:
            same = existing == value
        if not same:
            changed.append(field)
    return changed


async def provision_stream(js: JetStreamContext, spec: StreamSpec) -> bool:
    """Create the stream or bring its config in line; True when anything changed."""
    wanted = spec.nats_config()
    config = StreamConfig.from_response(dict(wanted))
    try:
        info = await js.stream_info(spec.name)
    except NotFoundError:
        await js.add_stream(config)
        log.info("stream_created", stream=spec.name)
        return True
    changed = _differences(wanted, info.config)
    if not changed:
        return False
    await js.update_stream(config)
    log.info("stream_updated", stream=spec.name, fields=changed)
    return True


async def provision(js: JetStreamContext, topology: Topology) -> list[str]:
    """Make every stream of ``topology`` exist as specified; returns the names created or updated."""
    return [spec.name for spec in topology.streams if await provision_stream(js, spec)]
