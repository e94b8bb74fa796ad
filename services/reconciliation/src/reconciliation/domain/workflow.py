"""The exception workflow: open -> assigned -> proposed -> approved -> resolved, with maker-checker.

Each verb checks the current status and returns the audit step it took; the caller stores the step
with the new state in one transaction. The person who proposed a resolution may not approve (or
reject) it: segregation of duties. An approved proposal resolves the exception at once; its
adjusting entry, if any, is then posted as a variance.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Literal

from canon.money import Money

Status = Literal["open", "assigned", "proposed", "approved", "resolved"]
AdjustmentKind = Literal[
    "processor_fee", "currency_conversion", "marketplace_commission", "chargeback", "reserve", "other"
]
REASON_CODES = frozenset(
    {
        "timing",
        "processor_error",
        "ledger_error",
        "chargeback_accepted",
        "chargeback_disputed",
        "write_off",
        "duplicate",
        "other",
    }
)
SYSTEM_ACTOR = "system"


class WorkflowError(Exception):
    """A step that the exception's current status does not allow."""

    def __init__(self, exception_id: str, reason: str) -> None:
        super().__init__(f"exception {exception_id}: {reason}")
        self.exception_id = exception_id
        self.reason = reason


class MakerCheckerError(WorkflowError):
    """The proposer tried to approve or reject their own proposal."""


@dataclass(frozen=True)
class AdjustingEntry:
    """What a resolution posts: a typed variance in the ledger (positive amount: a cost)."""

    kind: AdjustmentKind
    amount: Money
    memo: str | None = None


@dataclass(frozen=True)
class AuditStep:
    action: str
    from_status: Status
    to_status: Status
    actor: str
    at: datetime
    details: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ExceptionCase:
    exception_id: str
    status: Status
    owner: str | None = None
    reason_code: str | None = None
    proposed_by: str | None = None
    adjusting_entry: AdjustingEntry | None = None
    approved_by: str | None = None

    def _require(self, allowed: tuple[Status, ...], action: str) -> None:
        if self.status not in allowed:
            raise WorkflowError(self.exception_id, f"cannot {action} when {self.status}")

    def _step(self, action: str, to: Status, actor: str, at: datetime, **details: str) -> AuditStep:
        return AuditStep(action, self.status, to, actor, at, dict(details))

    def assign(self, owner: str, actor: str, at: datetime) -> tuple[ExceptionCase, AuditStep]:
        self._require(("open", "assigned"), "assign")
        if not owner.strip():
            raise WorkflowError(self.exception_id, "owner must not be empty")
        step = self._step("assigned", "assigned", actor, at, owner=owner)
        return replace(self, status="assigned", owner=owner), step

    def propose(
        self, reason_code: str, adjusting_entry: AdjustingEntry | None, actor: str, at: datetime
    ) -> tuple[ExceptionCase, AuditStep]:
        self._require(("assigned",), "propose a resolution")
        if reason_code not in REASON_CODES:
            known = ", ".join(sorted(REASON_CODES))
            raise WorkflowError(self.exception_id, f"unknown reason code {reason_code!r}; known: {known}")
        details = {"reason_code": reason_code}
        if adjusting_entry is not None:
            details |= {
                "adjusting_kind": adjusting_entry.kind,
                "adjusting_amount": str(adjusting_entry.amount),
            }
        step = self._step("proposed", "proposed", actor, at, **details)
        changed = replace(
            self,
            status="proposed",
            reason_code=reason_code,
            proposed_by=actor,
            adjusting_entry=adjusting_entry,
        )
        return changed, step

    def _check_second_user(self, actor: str, action: str) -> None:
        self._require(("proposed",), action)
        if actor == self.proposed_by:
            raise MakerCheckerError(
                self.exception_id, f"{actor} proposed this resolution and cannot {action} it"
            )

    def approve(self, actor: str, at: datetime) -> tuple[ExceptionCase, list[AuditStep]]:
        """Approved by a second user, then resolved: two audited steps."""
        self._check_second_user(actor, "approve")
        approved = replace(self, status="approved", approved_by=actor)
        steps = [
            self._step("approved", "approved", actor, at),
            AuditStep("resolved", "approved", "resolved", actor, at, {"reason_code": self.reason_code or ""}),
        ]
        return replace(approved, status="resolved"), steps

    def reject(self, actor: str, at: datetime, note: str = "") -> tuple[ExceptionCase, AuditStep]:
        """The checker sends the proposal back to its owner."""
        self._check_second_user(actor, "reject")
        step = self._step("rejected", "assigned", actor, at, note=note)
        return replace(
            self, status="assigned", reason_code=None, proposed_by=None, adjusting_entry=None
        ), step
