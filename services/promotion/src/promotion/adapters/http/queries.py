"""Read side of the promotion API (no locks).

``visible`` (a bound key's view, see application/access.py) hides a promotion none of whose versions
reaches the key: it is answered as not found, like one that does not exist."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from promotion.adapters.postgres.deployments import PostgresDeployments, deployment_view, to_deployment
from promotion.adapters.postgres.promotions import PostgresPromotions
from promotion.adapters.postgres.tables import deployments
from promotion.application.errors import NotFound
from promotion.application.views import AuditView, PromotionView, VersionView, audit_view, promotion_view
from promotion.domain.promotion import Promotion

Visible = Callable[[Promotion], bool]


def _everyone(promotion: Promotion) -> bool:
    return True


class PromotionQueries:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._session_factory = session_factory

    async def _load(self, promotion_id: str, visible: Visible = _everyone) -> Promotion:
        async with self._session_factory() as session, session.begin():
            promotion = await PostgresPromotions(session).get(promotion_id, lock=False)
        if promotion is None or not visible(promotion):
            raise NotFound("promotion", promotion_id)
        return promotion

    async def promotion(self, promotion_id: str, visible: Visible = _everyone) -> PromotionView:
        return promotion_view(await self._load(promotion_id, visible))

    async def version(self, promotion_id: str, version: int, visible: Visible = _everyone) -> VersionView:
        view = promotion_view(await self._load(promotion_id, visible))
        for found in view.versions:
            if found.version == version:
                return found
        raise NotFound("version", f"{promotion_id} v{version}")

    async def audit(self, promotion_id: str, visible: Visible = _everyone) -> list[AuditView]:
        return audit_view(await self._load(promotion_id, visible))

    async def deployments(
        self,
        promotion_id: str,
        channel_allowed: Callable[[str], bool] = lambda channel: True,
        visible: Visible = _everyone,
    ) -> list[dict[str, Any]]:
        """Every deployment of the promotion in the channels ``channel_allowed`` (a bound key's own)."""
        await self._load(promotion_id, visible)
        async with self._session_factory() as session:
            rows = (
                await session.execute(
                    select(deployments)
                    .where(deployments.c.promotion_id == promotion_id)
                    .order_by(
                        deployments.c.version,
                        deployments.c.action,
                        deployments.c.channel_id,
                        deployments.c.target,
                    )
                )
            ).all()
        found = (to_deployment(row) for row in rows)
        return [deployment_view(deployment) for deployment in found if channel_allowed(deployment.channel_id)]

    async def deployment_payload(
        self, deployment_id: str, channel_allowed: Callable[[str], bool] = lambda channel: True
    ) -> tuple[bytes, str]:
        """The payload sent; another channel's deployment is not found (a bound key sees only its own)."""
        async with self._session_factory() as session, session.begin():
            found = await PostgresDeployments(session).get(deployment_id)
        if found is None or not channel_allowed(found.channel_id):
            raise NotFound("deployment", deployment_id)
        return found.payload, found.content_type
