"""A channel acknowledges (or refuses) a deployment, over REST or its NATS subject.

Rules: an acknowledgment moves a pending or sent deployment to ``acknowledged``; a refusal to
``failed`` with the channel's reason; a repeated acknowledgment changes nothing; a caller bound to
channels may only acknowledge its own channel's deployments.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from promotion.application.errors import NotFound
from promotion.application.events import deployment_changed
from promotion.application.ports import UnitOfWork, UnitOfWorkFactory
from promotion.domain.distribution.deployment import Deployment
from promotion.domain.errors import ValidationError


async def acknowledge_in(
    uow: UnitOfWork,
    deployment_id: str,
    *,
    accepted: bool,
    reason: str | None,
    now: datetime,
    channel_allowed: Callable[[str], bool] = lambda channel: True,
) -> Deployment:
    deployment = await uow.deployments.get(deployment_id)
    if deployment is None or not channel_allowed(deployment.channel_id):
        raise NotFound("deployment", deployment_id)
    if accepted:
        after = deployment.acknowledged(now)
    else:
        if not reason or not reason.strip():
            raise ValidationError("reason", "a refusal needs the channel's reason")
        after = deployment.failed(now, f"refused by channel: {reason}")
    if after is not deployment:
        await uow.deployments.save(after)
        await deployment_changed(uow.outbox, after)
    return after


class AcknowledgeDeployment:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Callable[[], datetime] | None = None) -> None:
        self._uow_factory = uow_factory
        self._clock = clock or (lambda: datetime.now(UTC))

    async def __call__(
        self,
        deployment_id: str,
        *,
        accepted: bool = True,
        reason: str | None = None,
        channel_allowed: Callable[[str], bool] = lambda channel: True,
    ) -> Deployment:
        async with self._uow_factory() as uow:
            after = await acknowledge_in(
                uow,
                deployment_id,
                accepted=accepted,
                reason=reason,
                now=self._clock(),
                channel_allowed=channel_allowed,
            )
            await uow.commit()
        return after
