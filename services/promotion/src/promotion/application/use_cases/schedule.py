"""The clock's part of the lifecycle: a scheduled version goes active when its window opens (in its
earliest region), an active one ends when its window has closed everywhere."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from promotion.application.ports import UnitOfWorkFactory
from promotion.domain.window import Window


def opens_at(window: Window) -> datetime:
    return min([window.start, *(r.instants()[0] for r in window.regional_windows.values())])


def closes_at(window: Window) -> datetime:
    return max([window.end, *(r.instants()[1] for r in window.regional_windows.values())])


class AdvanceSchedule:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Callable[[], datetime] | None = None) -> None:
        self._uow_factory = uow_factory
        self._clock = clock or (lambda: datetime.now(UTC))

    async def __call__(self) -> int:
        """One round; returns how many promotions changed."""
        now = self._clock()
        async with self._uow_factory() as uow:
            due = await uow.promotions.due_for_schedule(now)
        changed = 0
        for promotion_id in due:
            async with self._uow_factory() as uow:
                promotion = await uow.promotions.get(promotion_id)
                if promotion is None:
                    continue
                scheduled = [r for r in promotion.records if r.status == "scheduled"]
                if scheduled and opens_at(scheduled[-1].content.window) <= now:
                    promotion.activate(at=now)
                active = [r for r in promotion.records if r.status == "active"]
                if active and closes_at(active[-1].content.window) <= now:
                    promotion.end(at=now)
                if promotion.events:
                    await uow.promotions.save(promotion)
                    await uow.commit()
                    changed += 1
        return changed
