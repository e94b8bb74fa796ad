"""GetDriftRates: drift rate by node over a window (an operations and finance metric)."""

from __future__ import annotations

from datetime import datetime

from inventory.application.ports import UnitOfWork
from inventory.domain.drift_rate import NodeDriftRate, drift_rate_by_node


class GetDriftRates:
    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def __call__(self, start: datetime, end: datetime) -> dict[str, NodeDriftRate]:
        async with self._uow as uow:
            drifts = await uow.drifts.between(start, end)
        return drift_rate_by_node(drifts, start, end)
