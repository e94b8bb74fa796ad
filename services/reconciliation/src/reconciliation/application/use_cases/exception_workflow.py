"""Steps of the exception workflow, each audited and published in one transaction.

Rules:
- assign (open/assigned -> assigned), propose (assigned -> proposed, with a reason code and an optional
  adjusting entry), approve (proposed -> approved -> resolved) or reject (proposed -> assigned);
- maker-checker: whoever proposed a resolution may not approve or reject it;
- every step is an audit row and a `retail.recon.exception_status_changed.v1` event;
- approving a proposal with an adjusting entry posts it as `retail.recon.variance_posted.v1` (once).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from canon.ids import deterministic_id
from canon.reconciliation_events import EXCEPTION_STATUS_CHANGED, ExceptionStatusChanged

from reconciliation.application.ports import UnitOfWork, UnitOfWorkFactory
from reconciliation.domain.workflow import AdjustingEntry, AuditStep, ExceptionCase

SOURCE = "/retail-sync/reconciliation"


class UnknownExceptionError(LookupError):
    def __init__(self, exception_id: str) -> None:
        super().__init__(f"no exception {exception_id}")
        self.exception_id = exception_id


class ExceptionWorkflow:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Callable[[], datetime] | None = None) -> None:
        self._uow_factory = uow_factory
        self._clock = clock or (lambda: datetime.now(UTC))

    async def assign(self, exception_id: str, owner: str, actor: str) -> ExceptionCase:
        return await self._step(exception_id, lambda case, at: _one(case.assign(owner, actor, at)))

    async def propose(
        self, exception_id: str, reason_code: str, adjusting_entry: AdjustingEntry | None, actor: str
    ) -> ExceptionCase:
        return await self._step(
            exception_id, lambda case, at: _one(case.propose(reason_code, adjusting_entry, actor, at))
        )

    async def approve(self, exception_id: str, actor: str) -> ExceptionCase:
        return await self._step(exception_id, lambda case, at: case.approve(actor, at))

    async def reject(self, exception_id: str, actor: str, note: str = "") -> ExceptionCase:
        return await self._step(exception_id, lambda case, at: _one(case.reject(actor, at, note)))

    async def _step(
        self,
        exception_id: str,
        verb: Callable[[ExceptionCase, datetime], tuple[ExceptionCase, list[AuditStep]]],
    ) -> ExceptionCase:
        at = self._clock()
        async with self._uow_factory() as uow:
            case = await uow.exceptions.get(exception_id)
            if case is None:
                raise UnknownExceptionError(exception_id)
            changed, steps = verb(case, at)
            step_numbers = await uow.exceptions.save(changed, steps)
            for number, step in zip(step_numbers, steps, strict=True):
                await _publish(uow, changed, number, step)
            if changed.status == "resolved" and changed.adjusting_entry is not None:
                await uow.variances.post_adjustment(changed, at)
            await uow.commit()
        return changed


def _one(result: tuple[ExceptionCase, AuditStep]) -> tuple[ExceptionCase, list[AuditStep]]:
    return result[0], [result[1]]


async def _publish(uow: UnitOfWork, case: ExceptionCase, number: int, step: AuditStep) -> None:
    event = ExceptionStatusChanged(
        exception_id=case.exception_id,
        step=number,
        status=step.to_status,
        actor=step.actor,
        action=step.action,
        at=step.at,
        reason_code=case.reason_code,
        owner=case.owner,
    )
    event_id = deterministic_id("recon.exception_step", case.exception_id, str(number))
    envelope = EXCEPTION_STATUS_CHANGED.envelope(SOURCE, subject=case.exception_id, id=event_id, time=step.at)
    await uow.outbox.add(envelope, EXCEPTION_STATUS_CHANGED.encode(event))
