"""Per-record outcomes of a bulk upsert: good records are stored, bad ones named with field and reason."""

from __future__ import annotations

from typing import Literal

import msgspec

OutcomeStatus = Literal["created", "updated", "unchanged", "rejected"]


class FieldProblem(msgspec.Struct, frozen=True, kw_only=True):
    field: str
    reason: str


class RecordOutcome(msgspec.Struct, frozen=True, kw_only=True):
    position: int
    """1-based index in the request, or the line number in an uploaded file."""
    status: OutcomeStatus
    key: str | None = None
    version: int | None = None
    errors: list[FieldProblem] = []


class BulkUpsertResult(msgspec.Struct, frozen=True, kw_only=True):
    record_type: str
    accepted: int
    rejected: int
    outcomes: list[RecordOutcome]

    @classmethod
    def of(cls, record_type: str, outcomes: list[RecordOutcome]) -> BulkUpsertResult:
        rejected = sum(1 for outcome in outcomes if outcome.status == "rejected")
        return cls(
            record_type=record_type,
            accepted=len(outcomes) - rejected,
            rejected=rejected,
            outcomes=sorted(outcomes, key=lambda outcome: outcome.position),
        )
