"""Keeps the in-memory evaluation index in step with the database.

The catalogue revision is the newest audit sequence (every lifecycle change writes one) plus the
node replica's fingerprint (nodes resolve a cart's region and store cluster). A poll that sees a
new revision reloads the active versions and swaps the index; a use case in this process calls
:meth:`refresh` right after its commit so its own changes show at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
from typing import Any

import msgspec
from master_replica import master_replica
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from promotion.adapters.postgres.tables import promotion_audit, promotion_versions
from promotion.application.evaluation import EvaluateCart
from promotion.domain.version import PromotionVersion


class CatalogRefresher:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        evaluate_cart: EvaluateCart,
        poll_s: float = 0.5,
    ) -> None:
        self._session_factory = session_factory
        self._evaluate_cart = evaluate_cart
        self._poll_s = poll_s
        self._revision: tuple[Any, ...] | None = None
        self._lock = asyncio.Lock()
        self.nodes: dict[str, tuple[str, str | None]] = {}
        """node id -> (region, store cluster)."""

    async def _current_revision(self, session: AsyncSession) -> tuple[Any, ...]:
        audit_seq = await session.scalar(select(func.max(promotion_audit.c.seq)))
        nodes = (
            await session.execute(
                select(func.count(), func.max(master_replica.c.changed_at)).where(
                    master_replica.c.record_type == "node"
                )
            )
        ).one()
        return (audit_seq, nodes[0], nodes[1])

    async def refresh(self) -> bool:
        """Reload when the revision moved; True when it did."""
        async with self._lock, self._session_factory() as session:
            revision = await self._current_revision(session)
            if revision == self._revision:
                return False
            rows = (
                await session.execute(
                    select(promotion_versions.c.content).where(promotion_versions.c.status == "active")
                )
            ).scalars()
            active = [msgspec.convert(content, PromotionVersion, strict=False) for content in rows]
            node_rows = (
                await session.execute(
                    select(master_replica.c.content).where(master_replica.c.record_type == "node")
                )
            ).scalars()
            self.nodes = {n["node_id"]: (n["region"], n.get("store_cluster")) for n in node_rows}
            self._evaluate_cart.reload(active)
            self._revision = revision
            # The index is long-lived: freeze it out of the collector's scans (keeps p99 latency low);
            # unfreeze first so the previous index can be collected.
            gc.unfreeze()
            gc.collect()
            gc.freeze()
            return True

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await self.refresh()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self._poll_s)
