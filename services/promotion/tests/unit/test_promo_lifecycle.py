"""The promotion lifecycle: segregation of duties, guarded transitions, versions, rollback, audit."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from promotion.domain import (
    InvalidTransition,
    PercentOff,
    Promotion,
    PromotionVersion,
    SegregationOfDuties,
    ValidationError,
    Window,
)
from promotion.domain import events as ev

T0 = datetime(2025, 2, 1, 9, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def first_version() -> PromotionVersion:
    return PromotionVersion(
        promotion_id="P1",
        version=1,
        name="Spring 10%",
        window=Window(start=datetime(2025, 3, 1, tzinfo=UTC), end=datetime(2025, 3, 8, tzinfo=UTC)),
        mechanic=PercentOff(percent=Decimal(10)),
    )


def active_promotion() -> Promotion:
    """Version 1, authored by alice, approved by bob, live."""
    promotion = Promotion.create(first_version(), by="alice", at=at(0))
    promotion.submit(by="alice", at=at(1))
    promotion.approve(by="bob", at=at(2))
    promotion.schedule(by="bob", at=at(3))
    promotion.activate(at=at(4))
    return promotion


def release_edit(promotion: Promotion, percent: int, start: int, activate: bool = True) -> None:
    promotion.edit(
        by="carol", at=at(start), why="deeper discount", mechanic=PercentOff(percent=Decimal(percent))
    )
    promotion.submit(by="carol", at=at(start + 1))
    promotion.approve(by="bob", at=at(start + 2))
    promotion.schedule(by="bob", at=at(start + 3))
    if activate:
        promotion.activate(at=at(start + 4))


def test_a_new_promotion_is_a_draft_with_an_audit_entry_and_an_event() -> None:
    promotion = Promotion.create(first_version(), by="alice", at=at(0))
    assert promotion.status == "draft"
    assert [(e.version, e.action, e.from_status, e.to_status, e.by) for e in promotion.audit] == [
        (1, "create", None, "draft", "alice")
    ]
    assert promotion.events == [
        ev.PromotionVersionDrafted(promotion_id="P1", version=1, by="alice", at=at(0))
    ]


def test_the_author_cannot_approve_their_own_version() -> None:
    promotion = Promotion.create(first_version(), by="alice", at=at(0))
    promotion.submit(by="alice", at=at(1))
    with pytest.raises(SegregationOfDuties) as error:
        promotion.approve(by="alice", at=at(2))
    assert (error.value.user, error.value.version) == ("alice", 1)
    assert promotion.status == "submitted"
    assert len(promotion.audit) == 2


def test_approval_publishes_the_version_with_its_content() -> None:
    promotion = Promotion.create(first_version(), by="alice", at=at(0))
    promotion.submit(by="alice", at=at(1))
    promotion.approve(by="bob", at=at(2), why="margin ok")
    assert promotion.status == "approved"
    assert promotion.latest.approved_by == "bob"
    assert promotion.events[-1] == ev.PromotionVersionPublished(
        promotion_id="P1", version=1, by="bob", at=at(2), content=first_version()
    )


@pytest.mark.parametrize(
    ("steps", "verb", "current"),
    [
        ([], "approve", "draft"),
        ([], "schedule", "draft"),
        ([], "activate", "draft"),
        (["submit"], "schedule", "submitted"),
        (["submit"], "submit", "submitted"),
        (["submit", "approve"], "activate", "approved"),
        (["submit", "approve"], "end", "approved"),
        ([], "withdraw", "draft"),
    ],
)
def test_invalid_transitions_name_the_current_status_and_the_verb(
    steps: list[str], verb: str, current: str
) -> None:
    promotion = Promotion.create(first_version(), by="alice", at=at(0))
    actors = {"submit": "alice", "approve": "bob"}
    for step in steps:
        getattr(promotion, step)(by=actors[step], at=at(1))
    audit_before = list(promotion.audit)
    calls = {
        "approve": lambda: promotion.approve(by="bob", at=at(5)),
        "schedule": lambda: promotion.schedule(by="bob", at=at(5)),
        "activate": lambda: promotion.activate(at=at(5)),
        "end": lambda: promotion.end(at=at(5)),
        "submit": lambda: promotion.submit(by="alice", at=at(5)),
        "withdraw": lambda: promotion.withdraw(by="bob", at=at(5), why="stop"),
    }
    with pytest.raises(InvalidTransition) as error:
        calls[verb]()
    assert (error.value.current, error.value.attempted) == (current, verb)
    assert promotion.audit == audit_before


def test_editing_makes_version_n_plus_1_as_a_draft_and_leaves_version_n_untouched() -> None:
    promotion = active_promotion()
    new = promotion.edit(by="carol", at=at(10), why="deeper", mechanic=PercentOff(percent=Decimal(20)))
    assert (new.promotion_id, new.version, new.mechanic) == ("P1", 2, PercentOff(percent=Decimal(20)))
    assert promotion.record(1).content == first_version()
    assert promotion.record(1).status == "active"
    assert promotion.record(2).status == "draft"
    assert promotion.record(2).author == "carol"
    assert promotion.active_version == first_version()


def test_editing_a_draft_discards_it() -> None:
    promotion = Promotion.create(first_version(), by="alice", at=at(0))
    promotion.edit(by="alice", at=at(1), why="typo", name="Spring 10% off")
    assert [(record.version, record.status) for record in promotion.records] == [
        (1, "discarded"),
        (2, "draft"),
    ]


def test_editing_while_a_version_awaits_approval_is_refused() -> None:
    promotion = Promotion.create(first_version(), by="alice", at=at(0))
    promotion.submit(by="alice", at=at(1))
    with pytest.raises(InvalidTransition) as error:
        promotion.edit(by="alice", at=at(2), why="oops", name="x")
    assert (error.value.current, error.value.attempted) == ("submitted", "edit")


def test_an_edit_cannot_change_the_identity() -> None:
    promotion = Promotion.create(first_version(), by="alice", at=at(0))
    with pytest.raises(ValidationError) as error:
        promotion.edit(by="alice", at=at(1), why="x", version=7)
    assert error.value.field == "version"


def test_a_newer_version_supersedes_the_live_one_only_when_it_becomes_active() -> None:
    promotion = active_promotion()
    release_edit(promotion, 20, start=10, activate=False)
    assert promotion.record(1).status == "active"
    promotion.activate(at=at(20))
    assert [(record.version, record.status) for record in promotion.records] == [
        (1, "superseded"),
        (2, "active"),
    ]
    assert promotion.events[-1] == ev.PromotionVersionActivated(
        promotion_id="P1", version=2, by="scheduler", at=at(20), superseded_version=1
    )


def test_withdrawing_rolls_back_to_the_previous_approved_version() -> None:
    promotion = active_promotion()
    release_edit(promotion, 20, start=10)
    promotion.withdraw(by="dave", at=at(30), why="pricing error in v2")
    assert [(record.version, record.status) for record in promotion.records] == [
        (1, "active"),
        (2, "withdrawn"),
    ]
    assert promotion.active_version == first_version()
    assert promotion.events[-1] == ev.PromotionRolledBack(
        promotion_id="P1",
        version=2,
        by="dave",
        at=at(30),
        why="pricing error in v2",
        restored_version=1,
        restored_status="active",
    )


def test_withdrawing_a_pending_version_keeps_the_live_one() -> None:
    promotion = active_promotion()
    release_edit(promotion, 20, start=10, activate=False)
    promotion.withdraw(by="dave", at=at(30), why="not needed")
    assert [(record.version, record.status) for record in promotion.records] == [
        (1, "active"),
        (2, "withdrawn"),
    ]
    assert isinstance(promotion.events[-1], ev.PromotionRolledBack)


def test_withdrawing_without_an_earlier_approved_version_turns_the_promotion_off() -> None:
    promotion = active_promotion()
    promotion.withdraw(by="dave", at=at(30), why="recall")
    assert promotion.status == "withdrawn"
    assert promotion.active_version is None
    assert promotion.events[-1] == ev.PromotionWithdrawn(
        promotion_id="P1", version=1, by="dave", at=at(30), why="recall"
    )


def test_rollbacks_walk_back_one_version_at_a_time() -> None:
    promotion = active_promotion()
    release_edit(promotion, 20, start=10)
    release_edit(promotion, 30, start=20)
    promotion.withdraw(by="dave", at=at(40), why="v3 wrong")
    assert promotion.active_version == promotion.record(2).content
    promotion.withdraw(by="dave", at=at(41), why="v2 wrong too")
    assert promotion.active_version == first_version()


def test_withdrawal_needs_a_reason() -> None:
    promotion = active_promotion()
    with pytest.raises(ValidationError) as error:
        promotion.withdraw(by="dave", at=at(30), why=" ")
    assert error.value.field == "why"


def test_transition_times_must_be_utc() -> None:
    promotion = Promotion.create(first_version(), by="alice", at=at(0))
    with pytest.raises(ValidationError) as error:
        promotion.submit(by="alice", at=datetime(2025, 2, 1, 9))
    assert error.value.field == "at"
    assert promotion.status == "draft"


def test_the_audit_trail_records_who_when_why_for_every_transition() -> None:
    promotion = active_promotion()
    promotion.end(at=at(50))
    trail = [(e.version, e.action, e.from_status, e.to_status, e.by, e.at, e.why) for e in promotion.audit]
    assert trail == [
        (1, "create", None, "draft", "alice", at(0), "created"),
        (1, "submit", "draft", "submitted", "alice", at(1), "submitted for approval"),
        (1, "approve", "submitted", "approved", "bob", at(2), "approved"),
        (1, "schedule", "approved", "scheduled", "bob", at(3), "scheduled"),
        (1, "activate", "scheduled", "active", "scheduler", at(4), "window opened"),
        (1, "end", "active", "ended", "scheduler", at(50), "window closed"),
    ]
    assert all(entry.promotion_id == "P1" for entry in promotion.audit)


def test_rejection_sends_the_version_back_to_draft() -> None:
    promotion = Promotion.create(first_version(), by="alice", at=at(0))
    promotion.submit(by="alice", at=at(1))
    promotion.reject(by="bob", at=at(2), why="window too long")
    assert promotion.status == "draft"
    assert promotion.events[-1] == ev.PromotionVersionRejected(
        promotion_id="P1", version=1, by="bob", at=at(2), why="window too long"
    )


def test_a_rehydrated_promotion_carries_on_from_its_records() -> None:
    original = active_promotion()
    again = Promotion("P1", original.records, original.audit)
    again.withdraw(by="dave", at=at(30), why="recall")
    assert again.status == "withdrawn"
    assert len(again.audit) == len(original.audit) + 1
    assert [type(event) for event in again.events] == [ev.PromotionWithdrawn]
