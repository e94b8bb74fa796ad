"""BalanceSnapshot: every line of an external snapshot (WMS, ERP, store count) through IngestSnapshot.

Rules: each line is balanced on its own (its own transaction), so a bad line (unknown sku or node,
negative count) is named and the others are balanced; each line gets an outcome: ``balanced`` (no
drift), ``adjusted`` (drift within tolerance, corrected as of the snapshot instant), ``exception``
(beyond tolerance: DriftDetected published, nothing adjusted), ``duplicate`` (that line was balanced
before) or ``rejected`` with the field and reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import msgspec
from canon.errors import ValidationError
from canon.money import Money

from inventory.application.use_cases.ingest_snapshot import IngestSnapshot
from inventory.domain.drift import Snapshot

LineStatus = Literal["balanced", "adjusted", "exception", "duplicate", "rejected"]
_STATUS: dict[str, LineStatus] = {"none": "balanced", "auto_adjust": "adjusted", "exception": "exception"}


class SnapshotLineOutcome(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    position: int
    """The line number in a file, the 1-based index in a JSON body."""
    status: LineStatus
    sku: str | None = None
    node: str | None = None
    counted_qty: int | None = None
    derived_qty: int | None = None
    drift_qty: int | None = None
    drift_value: Money | None = None
    field: str | None = None
    reason: str | None = None


class SnapshotResult(msgspec.Struct, frozen=True, kw_only=True):
    lines: int
    balanced: int
    adjusted: int
    exceptions: int
    duplicates: int
    rejected: int
    outcomes: list[SnapshotLineOutcome]


class BalanceSnapshot:
    def __init__(self, ingest: IngestSnapshot) -> None:
        self._ingest = ingest

    async def __call__(self, lines: Sequence[tuple[int, Snapshot | ValidationError]]) -> SnapshotResult:
        outcomes = [await self._line(position, line) for position, line in lines]
        count = {status: sum(o.status == status for o in outcomes) for status in _STATUS.values()}
        return SnapshotResult(
            lines=len(outcomes),
            balanced=count["balanced"],
            adjusted=count["adjusted"],
            exceptions=count["exception"],
            duplicates=sum(o.status == "duplicate" for o in outcomes),
            rejected=sum(o.status == "rejected" for o in outcomes),
            outcomes=outcomes,
        )

    async def _line(self, position: int, line: Snapshot | ValidationError) -> SnapshotLineOutcome:
        if isinstance(line, ValidationError):
            return SnapshotLineOutcome(
                position=position, status="rejected", field=line.field, reason=line.reason
            )
        try:
            outcome = await self._ingest(line)
        except ValidationError as error:
            return SnapshotLineOutcome(
                position=position, status="rejected", sku=line.sku, node=line.node,
                field=error.field, reason=error.reason,
            )  # fmt: skip
        drift = outcome.drift
        return SnapshotLineOutcome(
            position=position,
            status="duplicate" if outcome.duplicate else _STATUS[drift.action],
            sku=drift.sku,
            node=drift.node,
            counted_qty=drift.counted_qty,
            derived_qty=drift.derived_qty,
            drift_qty=drift.quantity,
            drift_value=drift.value,
            reason=drift.reason or None,
        )
