"""PostgreSQL adapter of the Deployments port."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from promotion.adapters.postgres.tables import deployments
from promotion.domain.distribution.deployment import Deployment

_FIELDS = tuple(Deployment.__struct_fields__)


def to_deployment(row: Any) -> Deployment:
    return Deployment(**{name: getattr(row, name) for name in _FIELDS})


def _values(deployment: Deployment) -> dict[str, Any]:
    return {name: getattr(deployment, name) for name in _FIELDS}


class PostgresDeployments:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add_all(self, planned: list[Deployment]) -> list[Deployment]:
        if not planned:
            return []
        result = await self._session.execute(
            insert(deployments)
            .values([_values(d) for d in planned])
            .on_conflict_do_nothing()
            .returning(deployments.c.deployment_id)
        )
        stored = set(result.scalars())
        return [d for d in planned if d.deployment_id in stored]

    async def get(self, deployment_id: str) -> Deployment | None:
        row = (
            await self._session.execute(
                select(deployments).where(deployments.c.deployment_id == deployment_id).with_for_update()
            )
        ).first()
        return None if row is None else to_deployment(row)

    async def save(self, deployment: Deployment) -> None:
        await self._session.execute(
            update(deployments)
            .where(deployments.c.deployment_id == deployment.deployment_id)
            .values(**_values(deployment))
        )

    async def claim_pending(self, limit: int) -> list[Deployment]:
        rows = (
            await self._session.execute(
                select(deployments)
                .where(deployments.c.status == "pending")
                .order_by(deployments.c.updated_at, deployments.c.deployment_id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        ).all()
        return [to_deployment(row) for row in rows]

    async def late(self, now: datetime) -> list[Deployment]:
        d = deployments.c
        rows = (
            await self._session.execute(
                select(deployments)
                .where(
                    d.status.in_(["pending", "sent"]),
                    d.action == "publish",
                    d.late_flagged_at.is_(None),
                    d.starts_at <= now,
                )
                .with_for_update(skip_locked=True)
            )
        ).all()
        return [to_deployment(row) for row in rows]

    async def of_version(self, promotion_id: str, version: int) -> list[Deployment]:
        rows = (
            await self._session.execute(
                select(deployments).where(
                    deployments.c.promotion_id == promotion_id, deployments.c.version == version
                )
            )
        ).all()
        return [to_deployment(row) for row in rows]


def deployment_view(deployment: Deployment) -> dict[str, Any]:
    """The API's view: everything but the payload bytes."""
    view = msgspec.to_builtins(deployment)
    view.pop("payload", None)
    return view
