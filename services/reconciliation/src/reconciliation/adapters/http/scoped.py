"""What a key bound to legal entities may read, and a rejected file as an RFC 9457 problem.

`GET /v1/recon/status` for a bound key counts only rows of its legal entities. The SQL lives here
rather than in the postgres adapter's queries so the unbound answer stays the shared one; a return
disposition carries no legal entity of its own and is counted when its order's sales document
belongs to one of the key's entities.
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec
from retail_platform.problems import FieldError
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reconciliation.domain.files import IngestOutcome

FILE_REJECTED = "urn:retail-sync:problem:file-rejected"

_STATUS_FOR_ENTITIES = text(
    """SELECT (SELECT count(*) FROM tender_lines WHERE legal_entity_id = ANY(:entities)) AS tender_lines,
       (SELECT count(*) FROM ledger_documents WHERE legal_entity_id = ANY(:entities)) AS ledger_entries,
       (SELECT count(*) FROM sales_documents WHERE legal_entity_id = ANY(:entities)) AS sales_documents,
       (SELECT count(*) FROM return_dispositions r
         WHERE EXISTS (SELECT 1 FROM sales_documents s
                        WHERE s.order_id = r.order_id AND s.legal_entity_id = ANY(:entities)))
           AS return_dispositions,
       (SELECT count(*) FROM recon_files WHERE legal_entity_id = ANY(:entities)) AS files,
       (SELECT count(*) FROM settlement_lines WHERE legal_entity_id = ANY(:entities)) AS settlement_lines,
       (SELECT count(*) FROM bank_lines WHERE legal_entity_id = ANY(:entities)) AS bank_lines,
       (SELECT count(*) FROM recon_exceptions
         WHERE legal_entity_id = ANY(:entities) AND status <> 'resolved') AS open_exceptions"""
)


async def status_for_entities(
    session_factory: async_sessionmaker[AsyncSession], entities: Sequence[str]
) -> dict[str, int]:
    """The read-model and file counts of `entities` only (the keys of the unbound status)."""
    async with session_factory() as session:
        row = (await session.execute(_STATUS_FOR_ENTITIES, {"entities": list(entities)})).one()
    return {name: int(value) for name, value in row._mapping.items()}


class RejectedFile(msgspec.Struct, frozen=True, kw_only=True):
    """RFC 9457 problem details for a refused file. `problems` keeps every bad line (the report
    clients read before); `errors` names the first, like any other 422 of the platform."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    outcome: str
    file_id: str
    filename: str | None
    problems: list[dict[str, object]]
    errors: tuple[FieldError, ...]


def rejected_file_problem(outcome: IngestOutcome, instance: str) -> bytes:
    problems = outcome.problems
    if problems:
        first = problems[0]
        where = f"line {first.line}" + (f", {first.field}" if first.field else "")
        more = len(problems) - 1
        detail = f"{where}: {first.reason}" + (f" (and {more} more: see problems)" if more else "")
        line = f"line {first.line}"
        named = FieldError(field=first.field or line, reason=f"{line}: {first.reason}")
        errors: tuple[FieldError, ...] = (named,)
    else:
        detail = "the file could not be read"
        errors = (FieldError(field="body", reason=detail),)
    problem = RejectedFile(
        type=FILE_REJECTED,
        title="File rejected",
        status=422,
        detail=detail,
        instance=instance,
        outcome=outcome.status,
        file_id=outcome.file_id,
        filename=outcome.filename,
        problems=[{"line": p.line, "field": p.field, "reason": p.reason} for p in problems],
        errors=errors,
    )
    return msgspec.json.encode(problem)
