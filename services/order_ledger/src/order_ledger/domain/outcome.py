"""Per-record outcomes of an ingestion batch: posted, duplicate, superseded or rejected (with reasons)."""

from __future__ import annotations

from typing import Literal

import msgspec

OutcomeStatus = Literal["posted", "duplicate", "superseded", "rejected"]


class FieldProblem(msgspec.Struct, frozen=True, kw_only=True):
    field: str
    reason: str


class RecordOutcome(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    position: int
    """1-based index in the request, or the line / transaction number in a file."""
    status: OutcomeStatus
    source_system: str | None = None
    document_id: str | None = None
    revision: int | None = None
    entry_ids: list[str] = []
    flags: list[str] = []
    errors: list[FieldProblem] = []


class BatchResult(msgspec.Struct, frozen=True, kw_only=True):
    posted: int
    duplicates: int
    superseded: int
    rejected: int
    outcomes: list[RecordOutcome]

    @classmethod
    def of(cls, outcomes: list[RecordOutcome]) -> BatchResult:
        count = {status: 0 for status in ("posted", "duplicate", "superseded", "rejected")}
        for outcome in outcomes:
            count[outcome.status] += 1
        return cls(
            posted=count["posted"],
            duplicates=count["duplicate"],
            superseded=count["superseded"],
            rejected=count["rejected"],
            outcomes=sorted(outcomes, key=lambda outcome: outcome.position),
        )
