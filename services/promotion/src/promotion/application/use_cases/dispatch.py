"""Send pending deployments through their channel's transport.

Rules: a deployment the transport takes becomes ``sent`` (the channel acknowledges later); a
transient failure is retried on the next rounds, up to MAX_ATTEMPTS, then the deployment is
``failed`` with the transport's reason; a permanent failure fails it at once. One channel's failure
never holds up another's deployments.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from promotion.application.events import deployment_changed
from promotion.application.ports import ChannelDelivery, ChannelTransport, DeliveryFailed, UnitOfWorkFactory
from promotion.domain.distribution.deployment import Deployment

MAX_ATTEMPTS = 3


class DispatchDeployments:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        transport_for: Callable[[str], ChannelTransport],
        clock: Callable[[], datetime] | None = None,
        batch_size: int = 50,
        on_change: Callable[[Deployment], None] | None = None,
    ) -> None:
        self._uow_factory = uow_factory
        self._transport_for = transport_for
        self._clock = clock or (lambda: datetime.now(UTC))
        self._batch_size = batch_size
        self._on_change = on_change or (lambda deployment: None)

    async def __call__(self) -> int:
        """One round; returns how many deployments changed status."""
        changed = 0
        async with self._uow_factory() as uow:
            for deployment in await uow.deployments.claim_pending(self._batch_size):
                after = await self._send(deployment)
                await uow.deployments.save(after)
                if after.status != deployment.status:
                    changed += 1
                    await deployment_changed(uow.outbox, after)
            await uow.commit()
        return changed

    async def _send(self, deployment: Deployment) -> Deployment:
        transport = self._transport_for(deployment.channel_id)
        try:
            await transport.send(ChannelDelivery(deployment=deployment, channel_id=deployment.channel_id))
        except DeliveryFailed as failure:
            now = self._clock()
            if failure.permanent or deployment.attempts + 1 >= MAX_ATTEMPTS:
                result = deployment.send_failed(now, failure.reason)
                self._on_change(result)
                return result
            return deployment.retry_later(now, failure.reason)
        result = deployment.sent(self._clock())
        self._on_change(result)
        return result
