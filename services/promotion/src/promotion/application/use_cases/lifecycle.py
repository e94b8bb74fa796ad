"""Lifecycle verbs: submit, reject, approve, schedule, withdraw (with rollback).

Rules:
- the caller is the API key's owner; approval by the version's author is refused (segregation of
  duties); ``expected_version``, when given, must be the version the verb applies to (so nobody
  approves a version they did not review);
- approval publishes the full version (``retail.promotion.version_published.v1``);
- scheduling distributes it to every channel target; withdrawal distributes the withdrawal (and a
  rollback re-publishes the restored version) the same way;
- every transition is audited (who, when, why) in the same transaction as its events;
- a key bound to channels acts only on promotions scoped within them.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import UTC, datetime
from typing import Literal

from promotion.application.access import check_binding
from promotion.application.errors import NotFound, VersionMismatch
from promotion.application.events import publish_domain_events
from promotion.application.ports import UnitOfWork, UnitOfWorkFactory
from promotion.application.use_cases.distribution import plan_deployments, reached_targets
from promotion.application.views import PromotionView, promotion_view
from promotion.domain import events as ev
from promotion.domain.lifecycle import LIVE_STATUSES
from promotion.domain.promotion import Promotion

Verb = Literal["submit", "reject", "approve", "schedule", "withdraw"]


def _subject_version(promotion: Promotion, verb: Verb) -> int:
    """The version a verb acts on (the aggregate's own choice, repeated here to check it)."""
    wanted = {"schedule": {"approved"}, "withdraw": set(LIVE_STATUSES)}.get(verb)
    if wanted is None:
        return promotion.latest.version
    matching = [r.version for r in promotion.records if r.status in wanted]
    return matching[-1] if matching else promotion.latest.version


async def distribute(uow: UnitOfWork, promotion: Promotion, now: datetime) -> None:
    step = len(promotion.audit)
    for event in promotion.events:
        if isinstance(event, ev.PromotionVersionScheduled):
            await plan_deployments(uow, promotion.record(event.version).content, "publish", step, now)
        elif isinstance(event, ev.PromotionWithdrawn | ev.PromotionRolledBack):
            withdrawn = promotion.record(event.version).content
            reached = await reached_targets(uow, promotion.promotion_id, event.version)
            await plan_deployments(uow, withdrawn, "withdraw", step, now, only_targets=reached)
            if isinstance(event, ev.PromotionRolledBack) and event.restored_status in {"scheduled", "active"}:
                restored = promotion.record(event.restored_version).content
                await plan_deployments(uow, restored, "publish", step, now)


class ChangeLifecycle:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Callable[[], datetime] | None = None) -> None:
        self._uow_factory = uow_factory
        self._clock = clock or (lambda: datetime.now(UTC))

    async def __call__(
        self,
        promotion_id: str,
        verb: Verb,
        *,
        by: str,
        why: str | None = None,
        expected_version: int | None = None,
        channels: Collection[str] = (),
        store_clusters: Collection[str] = (),
    ) -> PromotionView:
        """``channels`` / ``store_clusters``: the caller's bindings (empty: not bound). The version the
        verb acts on must be scoped within them; for a withdrawal every version, as any earlier one may be
        rolled back to and distributed again."""
        now = self._clock()
        async with self._uow_factory() as uow:
            promotion = await uow.promotions.get(promotion_id)
            if promotion is None:
                raise NotFound("promotion", promotion_id)
            subject = _subject_version(promotion, verb)
            check_binding(
                [r.content for r in promotion.records]
                if verb == "withdraw"
                else [promotion.record(subject).content],
                channels,
                store_clusters,
            )
            if expected_version is not None and expected_version != subject:
                raise VersionMismatch(expected_version, subject)
            action = getattr(promotion, verb)
            if why:
                action(by=by, at=now, why=why)
            elif verb in {"reject", "withdraw"}:
                action(by=by, at=now, why="")  # the aggregate names the missing reason
            else:
                action(by=by, at=now)
            await publish_domain_events(uow.outbox, promotion)
            await distribute(uow, promotion, now)
            await uow.promotions.save(promotion)
            await uow.commit()
        return promotion_view(promotion)
