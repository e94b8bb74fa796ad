"""Flag deployments not acknowledged by the instant their version starts in their target.

Each is flagged once: ``late_flagged_at`` is set and ``retail.promotion.deployment_late.v1`` is
published in the same transaction (the caller counts them in a metric).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import msgspec

from promotion.application.events import deployment_late
from promotion.application.ports import UnitOfWorkFactory
from promotion.domain.distribution.deployment import Deployment


class FlagLateDeployments:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Callable[[], datetime] | None = None) -> None:
        self._uow_factory = uow_factory
        self._clock = clock or (lambda: datetime.now(UTC))

    async def __call__(self) -> list[Deployment]:
        now = self._clock()
        flagged: list[Deployment] = []
        async with self._uow_factory() as uow:
            for deployment in await uow.deployments.late(now):
                if not deployment.is_late(now):
                    continue
                marked = msgspec.structs.replace(deployment, late_flagged_at=now)
                await uow.deployments.save(marked)
                await deployment_late(uow.outbox, marked, now)
                flagged.append(marked)
            await uow.commit()
        return flagged
