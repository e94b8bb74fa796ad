"""What intake decides about a file, and what a reconciliation run reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

import msgspec

FileKind = Literal["settlement", "bank"]


@dataclass(frozen=True)
class FileRecord:
    file_id: str
    kind: FileKind
    source_format: str
    report_id: str
    filename: str | None
    legal_entity_id: str
    channel_id: str | None
    business_date: date
    period_id: str
    late: bool
    cutoff_at: datetime
    line_count: int
    received_at: datetime
    source: str


class Problem(msgspec.Struct, frozen=True, kw_only=True):
    line: int
    field: str | None
    reason: str


class RunSummary(msgspec.Struct, frozen=True, kw_only=True):
    run_id: str
    legal_entity_id: str
    as_of: datetime
    reference_matches: int = 0
    amount_date_matches: int = 0
    payout_links: int = 0
    variances_posted: int = 0
    exceptions_raised: int = 0
    exceptions_auto_resolved: int = 0
    open_exceptions: int = 0
    seconds: float = 0.0


class IngestOutcome(msgspec.Struct, frozen=True, kw_only=True):
    """`taken`, `duplicate` (recognised, not taken twice) or `rejected` (with every bad line)."""

    status: Literal["taken", "duplicate", "rejected"]
    file_id: str
    filename: str | None = None
    kind: FileKind | None = None
    source_format: str | None = None
    report_id: str | None = None
    period_id: str | None = None
    late: bool = False
    line_count: int = 0
    reason: str | None = None
    problems: list[Problem] = msgspec.field(default_factory=list)
    run: RunSummary | None = None
