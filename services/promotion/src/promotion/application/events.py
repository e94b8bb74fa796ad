"""Turning domain events and deployment changes into `retail.promotion.*` outbox entries.

Event ids are deterministic from business keys (promotion, version, what happened), so replaying
a command never publishes twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from canon import promotion as contract
from canon.envelope import Envelope
from canon.event_type import EventType
from canon.ids import deterministic_id

from promotion.application.ports import EventOutbox
from promotion.domain import events as ev
from promotion.domain.distribution.deployment import Deployment
from promotion.domain.promotion import Promotion

SOURCE = "/retail-sync/promotion"


async def publish_domain_events(outbox: EventOutbox, promotion: Promotion) -> None:
    for event in promotion.events:
        if isinstance(event, ev.PromotionVersionPublished):
            record = promotion.record(event.version)
            payload = contract.PromotionVersionPublished(
                promotion_id=event.promotion_id,
                version=event.version,
                author=record.author,
                approved_by=event.by,
                approved_at=event.at,
                content=msgspec.convert(msgspec.to_builtins(event.content), contract.PromotionDocument),
            )
            await _add(outbox, contract.VERSION_PUBLISHED, payload, event, "published")
        elif isinstance(event, ev.PromotionWithdrawn | ev.PromotionRolledBack):
            restored = event.restored_version if isinstance(event, ev.PromotionRolledBack) else None
            payload_w = contract.PromotionWithdrawn(
                promotion_id=event.promotion_id,
                version=event.version,
                by=event.by,
                at=event.at,
                why=event.why,
                restored_version=restored,
            )
            await _add(outbox, contract.WITHDRAWN, payload_w, event, "withdrawn")


async def _add(
    outbox: EventOutbox, event_type: EventType[Any], payload: Any, event: ev.PromotionEvent, what: str
) -> None:
    envelope = Envelope.new(
        type=event_type.type,
        source=SOURCE,
        subject=f"{event.promotion_id}:v{event.version}",
        id=deterministic_id("promotion", what, event.promotion_id, str(event.version), event.at.isoformat()),
        time=event.at,
    )
    await outbox.add(envelope, event_type.encode(payload))


async def deployment_changed(outbox: EventOutbox, deployment: Deployment) -> None:
    payload = contract.DeploymentStatusChanged(
        deployment_id=deployment.deployment_id,
        promotion_id=deployment.promotion_id,
        version=deployment.version,
        action=deployment.action,
        channel_id=deployment.channel_id,
        target=deployment.target,
        status=deployment.status,
        at=deployment.updated_at,
        reason=deployment.reason,
    )
    event_type = contract.DEPLOYMENT_STATUS_CHANGED
    envelope = Envelope.new(
        type=event_type.type,
        source=SOURCE,
        subject=deployment.deployment_id,
        id=deterministic_id("promotion", "deployment", deployment.deployment_id, deployment.status),
        time=deployment.updated_at,
    )
    await outbox.add(envelope, event_type.encode(payload))


async def deployment_late(outbox: EventOutbox, deployment: Deployment, flagged_at: datetime) -> None:
    payload = contract.DeploymentLate(
        deployment_id=deployment.deployment_id,
        promotion_id=deployment.promotion_id,
        version=deployment.version,
        channel_id=deployment.channel_id,
        target=deployment.target,
        status=deployment.status,
        starts_at=deployment.starts_at,
        flagged_at=flagged_at,
    )
    event_type = contract.DEPLOYMENT_LATE
    envelope = Envelope.new(
        type=event_type.type,
        source=SOURCE,
        subject=deployment.deployment_id,
        id=deterministic_id("promotion", "late", deployment.deployment_id),
        time=flagged_at,
    )
    await outbox.add(envelope, event_type.encode(payload))
