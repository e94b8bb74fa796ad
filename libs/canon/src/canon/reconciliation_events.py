"""``retail.recon.*`` events besides :mod:`canon.recon`: files taken, exceptions and their workflow.

The console and the close dashboard follow these; nothing posts from them (the ledger posts
:class:`canon.recon.VariancePosted`). Ids are deterministic from business keys, so re-running a
reconciliation or re-sending a file publishes nothing new.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

import msgspec

from canon.event_type import EventType, register
from canon.money import Money

FileKind = Literal["settlement", "bank"]
ExceptionStatus = Literal["open", "assigned", "proposed", "approved", "resolved"]


class FileIngested(msgspec.Struct, frozen=True, kw_only=True):
    """A settlement or bank file was taken whole (a re-sent one is not taken twice)."""

    file_id: str
    """SHA-256 of the file's bytes."""
    kind: FileKind
    source_format: str
    report_id: str
    legal_entity_id: str
    period_id: str
    """The period the file counts in: the next one when it arrived after its period's cut-off."""
    line_count: int
    received_at: datetime
    late: bool = False


class ExceptionRaised(msgspec.Struct, frozen=True, kw_only=True):
    """A control found something a person must look at."""

    exception_id: str
    exception_type: str
    control: str
    legal_entity_id: str
    period_id: str
    amount: Money | None = None
    channel_id: str | None = None
    business_date: date | None = None
    reference: str | None = None


class ExceptionStatusChanged(msgspec.Struct, frozen=True, kw_only=True):
    """One audited step of the exception workflow (open -> assigned -> proposed -> approved -> resolved)."""

    exception_id: str
    step: int
    status: ExceptionStatus
    actor: str
    action: str
    at: datetime
    reason_code: str | None = None
    owner: str | None = None


FILE_INGESTED = register(
    EventType(
        context="recon",
        name="file_ingested",
        version=1,
        payload=FileIngested,
        description="A settlement or bank statement file was taken whole into reconciliation.",
    )
)
EXCEPTION_RAISED = register(
    EventType(
        context="recon",
        name="exception_raised",
        version=1,
        payload=ExceptionRaised,
        description="A reconciliation control raised an exception for a person to resolve.",
    )
)
EXCEPTION_STATUS_CHANGED = register(
    EventType(
        context="recon",
        name="exception_status_changed",
        version=1,
        payload=ExceptionStatusChanged,
        description="An exception moved one step in its maker-checker workflow.",
    )
)
