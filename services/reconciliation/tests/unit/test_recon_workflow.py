"""The exception workflow: statuses, maker-checker, audit steps (pure domain and the use case on fakes)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from canon.money import Money
from reconciliation.adapters.memory import InMemoryUnitOfWork
from reconciliation.application.use_cases.exception_workflow import ExceptionWorkflow, UnknownExceptionError
from reconciliation.domain.workflow import AdjustingEntry, ExceptionCase, MakerCheckerError, WorkflowError

AT = datetime(2026, 3, 5, 9, tzinfo=UTC)


def proposed(by: str = "maker") -> ExceptionCase:
    case, _ = ExceptionCase("X1", "open").assign("maker", "lead", AT)
    case, _ = case.propose("write_off", None, by, AT)
    return case


def test_the_proposer_cannot_approve_or_reject_their_own_proposal() -> None:
    case = proposed(by="maker")
    with pytest.raises(MakerCheckerError, match="maker proposed this resolution and cannot approve it"):
        case.approve("maker", AT)
    with pytest.raises(MakerCheckerError):
        case.reject("maker", AT)


def test_a_second_user_approves_and_the_exception_is_resolved_in_two_audited_steps() -> None:
    resolved, steps = proposed(by="maker").approve("checker", AT)
    assert (resolved.status, resolved.approved_by, resolved.proposed_by) == ("resolved", "checker", "maker")
    assert [(s.action, s.from_status, s.to_status, s.actor) for s in steps] == [
        ("approved", "proposed", "approved", "checker"),
        ("resolved", "approved", "resolved", "checker"),
    ]


def test_a_rejected_proposal_goes_back_to_its_owner_without_its_reason() -> None:
    case, step = proposed().reject("checker", AT, note="wrong reason")
    assert (case.status, case.owner, case.reason_code, case.proposed_by) == ("assigned", "maker", None, None)
    assert step.details == {"note": "wrong reason"}


@pytest.mark.parametrize(
    ("status", "verb"),
    [("open", "propose"), ("resolved", "assign"), ("open", "approve"), ("assigned", "approve")],
)
def test_steps_out_of_order_are_refused(status: str, verb: str) -> None:
    case = ExceptionCase("X1", status, proposed_by="maker")  # type: ignore[arg-type]
    calls = {
        "propose": lambda: case.propose("timing", None, "a", AT),
        "assign": lambda: case.assign("a", "b", AT),
        "approve": lambda: case.approve("checker", AT),
    }
    with pytest.raises(WorkflowError):
        calls[verb]()


def test_an_unknown_reason_code_is_refused() -> None:
    case, _ = ExceptionCase("X1", "open").assign("a", "b", AT)
    with pytest.raises(WorkflowError, match="unknown reason code 'because'"):
        case.propose("because", None, "a", AT)


async def test_workflow_use_case_audits_publishes_and_posts_the_adjustment_once_approved() -> None:
    uow = InMemoryUnitOfWork()
    uow.committed.cases["X1"] = ExceptionCase("X1", "open")
    workflow = ExceptionWorkflow(uow, clock=lambda: AT)
    await workflow.assign("X1", "alice", "lead")
    entry = AdjustingEntry("chargeback", Money(2500, "EUR"))
    await workflow.propose("X1", "chargeback_accepted", entry, "alice")
    with pytest.raises(MakerCheckerError):
        await workflow.approve("X1", "alice")
    assert uow.committed.adjustments == []
    await workflow.approve("X1", "bob")
    state = uow.committed
    assert state.cases["X1"].status == "resolved"
    assert [(n, s.action) for _, n, s in state.audit] == [
        (1, "assigned"),
        (2, "proposed"),
        (3, "approved"),
        (4, "resolved"),
    ]
    assert [e.type for e, _ in state.events] == ["retail.recon.exception_status_changed.v1"] * 4
    assert state.adjustments == ["X1"]
    with pytest.raises(UnknownExceptionError):
        await workflow.assign("nope", "alice", "lead")
