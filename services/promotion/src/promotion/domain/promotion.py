"""The Promotion aggregate: its immutable versions, their lifecycle, the audit trail and events.

Rules (DOMAIN.md, Promotions):
- versions are immutable; an edit makes version N+1 as a new draft;
- approval needs someone other than the version's author (segregation of duties);
- a newer version replaces the live one only when it becomes active;
- withdrawing the live version rolls back to the previous approved version, or turns the
  promotion off when there is none;
- every transition appends an audit entry (who, when, why) and a domain event.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from promotion.domain import _checks
from promotion.domain import events as ev
from promotion.domain.audit import AuditEntry
from promotion.domain.errors import InvalidTransition, SegregationOfDuties, ValidationError
from promotion.domain.lifecycle import (
    EDITABLE_AFTER,
    LIVE_STATUSES,
    TRANSITIONS,
    VersionRecord,
    VersionStatus,
)
from promotion.domain.version import PromotionVersion


class Promotion:
    """Rehydrate with ``Promotion(promotion_id, records, audit)``; start one with :meth:`create`."""

    def __init__(self, promotion_id: str, records: list[VersionRecord], audit: list[AuditEntry]) -> None:
        self.promotion_id = promotion_id
        self._records = sorted(records, key=lambda record: record.version)
        self.audit = list(audit)
        self.events: list[ev.PromotionEvent] = []

    @classmethod
    def create(cls, first: PromotionVersion, *, by: str, at: datetime, why: str = "created") -> Promotion:
        if first.version != 1:
            raise ValidationError("version", f"a new promotion starts at version 1, got {first.version}")
        promotion = cls(first.promotion_id, [], [])
        promotion._add_draft(first, by=by, at=at, why=why)
        return promotion

    # -- reading -------------------------------------------------------------------------------
    @property
    def records(self) -> list[VersionRecord]:
        return list(self._records)

    @property
    def latest(self) -> VersionRecord:
        return self._records[-1]

    @property
    def status(self) -> VersionStatus:
        """Status of the latest version."""
        return self.latest.status

    @property
    def active_version(self) -> PromotionVersion | None:
        """The version customers get now (what the evaluation index is built from)."""
        active = [record for record in self._records if record.status == "active"]
        return active[-1].content if active else None

    def record(self, version: int) -> VersionRecord:
        for record in self._records:
            if record.version == version:
                return record
        raise ValidationError("version", f"promotion {self.promotion_id} has no version {version}")

    # -- verbs ---------------------------------------------------------------------------------
    def edit(self, *, by: str, at: datetime, why: str, **changes: Any) -> PromotionVersion:
        """New draft N+1 = version N with ``changes`` (any PromotionVersion field but the identity)."""
        latest = self.latest
        if latest.status not in EDITABLE_AFTER:
            raise InvalidTransition(latest.status, "edit")
        for field in ("promotion_id", "version"):
            if field in changes:
                raise ValidationError(field, "is set by the aggregate, not by an edit")
        content = msgspec.structs.replace(latest.content, version=latest.version + 1, **changes)
        if latest.status == "draft":
            self._move(latest, "discarded", "edit", by=by, at=at, why=why)
        self._add_draft(content, by=by, at=at, why=why)
        return content

    def submit(self, *, by: str, at: datetime, why: str = "submitted for approval") -> None:
        record = self._guarded("submit", self.latest)
        self._move(record, "submitted", "submit", by=by, at=at, why=why)
        self.events.append(ev.PromotionVersionSubmitted(**self._event_base(record, by, at)))

    def reject(self, *, by: str, at: datetime, why: str) -> None:
        record = self._guarded("reject", self.latest)
        self._move(record, "draft", "reject", by=by, at=at, why=why)
        self.events.append(ev.PromotionVersionRejected(**self._event_base(record, by, at), why=why))

    def approve(self, *, by: str, at: datetime, why: str = "approved") -> None:
        record = self._guarded("approve", self.latest)
        if by == record.author:
            raise SegregationOfDuties(by, record.version)
        approved = msgspec.structs.replace(record, approved_by=by)
        self._move(approved, "approved", "approve", by=by, at=at, why=why)
        self.events.append(
            ev.PromotionVersionPublished(**self._event_base(record, by, at), content=record.content)
        )

    def schedule(self, *, by: str, at: datetime, why: str = "scheduled") -> None:
        record = self._guarded("schedule", self._newest({"approved"}))
        self._move(record, "scheduled", "schedule", by=by, at=at, why=why)
        self.events.append(ev.PromotionVersionScheduled(**self._event_base(record, by, at)))

    def activate(self, *, at: datetime, by: str = "scheduler", why: str = "window opened") -> None:
        """The scheduled version goes live; an older live version is superseded (kept for rollback)."""
        record = self._guarded("activate", self._newest({"scheduled"}))
        superseded: int | None = None
        for older in self._records:
            if older.version < record.version and older.status in LIVE_STATUSES:
                kept = msgspec.structs.replace(older, status_before_superseded=older.status)
                self._move(
                    kept, "superseded", "supersede", by=by, at=at, why=f"version {record.version} active"
                )
                superseded = older.version
        self._move(record, "active", "activate", by=by, at=at, why=why)
        event = ev.PromotionVersionActivated(
            **self._event_base(record, by, at), superseded_version=superseded
        )
        self.events.append(event)

    def end(self, *, at: datetime, by: str = "scheduler", why: str = "window closed") -> None:
        record = self._guarded("end", self._newest({"active"}))
        self._move(record, "ended", "end", by=by, at=at, why=why)
        self.events.append(ev.PromotionEnded(**self._event_base(record, by, at)))

    def withdraw(self, *, by: str, at: datetime, why: str) -> None:
        """Withdraw the newest live version; the previous approved one (if any) is live again."""
        _checks.text("why", why)
        record = self._guarded("withdraw", self._newest(LIVE_STATUSES))
        self._move(record, "withdrawn", "withdraw", by=by, at=at, why=why)
        previous = self._rollback_target(record.version)
        if previous is None:
            self.events.append(ev.PromotionWithdrawn(**self._event_base(record, by, at), why=why))
            return
        restored_status = previous.status
        if previous.status == "superseded" and previous.status_before_superseded is not None:
            restored_status = previous.status_before_superseded
            restored = msgspec.structs.replace(previous, status_before_superseded=None)
            self._move(restored, restored_status, "rollback", by=by, at=at, why=why)
        self.events.append(
            ev.PromotionRolledBack(
                **self._event_base(record, by, at),
                why=why,
                restored_version=previous.version,
                restored_status=restored_status,
            )
        )

    # -- guards and bookkeeping ----------------------------------------------------------------
    def _guarded(self, verb: str, record: VersionRecord) -> VersionRecord:
        allowed_from, _ = TRANSITIONS[verb]
        if record.status not in allowed_from:
            raise InvalidTransition(record.status, verb)
        return record

    def _newest(self, statuses: set[str] | frozenset[str]) -> VersionRecord:
        """Newest version in one of ``statuses``, else the latest (so the guard names its status)."""
        matching = [record for record in self._records if record.status in statuses]
        return matching[-1] if matching else self.latest

    def _rollback_target(self, below: int) -> VersionRecord | None:
        candidates = [
            record
            for record in self._records
            if record.version < below and (record.status in LIVE_STATUSES or record.status == "superseded")
        ]
        return candidates[-1] if candidates else None

    def _add_draft(self, content: PromotionVersion, *, by: str, at: datetime, why: str) -> None:
        if content.promotion_id != self.promotion_id:
            raise ValidationError(
                "promotion_id", f"belongs to {self.promotion_id}, got {content.promotion_id}"
            )
        _checks.identifier("by", by)
        _checks.utc_instant("at", at)
        record = VersionRecord(content=content, status="draft", author=by)
        self._records.append(record)
        self._audit(record.version, "create", (None, "draft"), by=by, at=at, why=why)
        self.events.append(ev.PromotionVersionDrafted(**self._event_base(record, by, at)))

    def _move(
        self, record: VersionRecord, to_status: VersionStatus, action: str, *, by: str, at: datetime, why: str
    ) -> None:
        _checks.identifier("by", by)
        _checks.utc_instant("at", at)
        index = next(i for i, kept in enumerate(self._records) if kept.version == record.version)
        from_status = self._records[index].status
        self._records[index] = msgspec.structs.replace(record, status=to_status)
        self._audit(record.version, action, (from_status, to_status), by=by, at=at, why=why)

    def _audit(
        self, version: int, action: str, statuses: tuple[VersionStatus | None, VersionStatus], **who: Any
    ) -> None:
        """Append an entry; ``who`` is by, at and why."""
        from_status, to_status = statuses
        entry = AuditEntry(
            promotion_id=self.promotion_id,
            version=version,
            action=action,
            from_status=from_status,
            to_status=to_status,
            **who,
        )
        self.audit.append(entry)

    def _event_base(self, record: VersionRecord, by: str, at: datetime) -> dict[str, Any]:
        return {"promotion_id": self.promotion_id, "version": record.version, "by": by, "at": at}
