"""REST /v1/recon: file upload, reconciliation runs, read-model status and cut-offs."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post, put
from litestar.params import HeaderParameter, QueryParameter
from retail_platform.auth import principal_of, requires_scope
from retail_platform.idempotency import IdempotencyStore, idempotent
from retail_platform.problems import PROBLEM_JSON, ProblemError
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reconciliation.adapters.http.schemas import CutoffRequest, RunRequest
from reconciliation.adapters.http.scoped import rejected_file_problem, status_for_entities
from reconciliation.adapters.postgres.engine import PostgresReconciler
from reconciliation.adapters.postgres.queries import ReconQueries
from reconciliation.application.use_cases.ingest_file import IngestFile
from reconciliation.domain.files import RunSummary

IdempotencyKey = Annotated[str | None, HeaderParameter(name="Idempotency-Key", required=False)]
_STATUS = {"taken": 201, "duplicate": 200, "rejected": 422}


def check_entity(request: Request[Any, Any, Any], legal_entity_id: str) -> None:
    if not principal_of(request).may_access_legal_entity(legal_entity_id):
        raise ProblemError(403, "Forbidden", f"this API key may not access legal entity {legal_entity_id!r}")


class ReconFilesController(Controller):
    path = "/v1/recon"
    tags = ["reconciliation"]

    @post(
        "/files",
        operation_id="UploadReconFile",
        guards=[requires_scope("recon:write")],
        summary="Upload a settlement (Adyen, Stripe, PayPal, Braintree, Amazon) or bank statement "
        "(camt.053, BAI2, MT940) file",
        description="Taken whole (201), recognised as already taken (200), or rejected (422, "
        "`application/problem+json` whose `detail` names the first bad line and whose `problems` "
        "member lists every bad line's number, field and reason). Taking a file reconciles its "
        "legal entity.",
    )
    async def upload(
        self,
        request: Request[Any, Any, Any],
        ingest_file: IngestFile,
        idempotency_store: IdempotencyStore,
        legal_entity_id: Annotated[str, QueryParameter(name="legal_entity_id")],
        filename: Annotated[str | None, QueryParameter(name="filename", required=False)] = None,
        channel_id: Annotated[str | None, QueryParameter(name="channel_id", required=False)] = None,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[bytes]:
        check_entity(request, legal_entity_id)

        async def produce() -> tuple[int, bytes]:
            outcome = await ingest_file(
                await request.body(),
                filename=filename,
                legal_entity_id=legal_entity_id,
                channel_id=channel_id,
            )
            if outcome.status == "rejected":
                return _STATUS["rejected"], rejected_file_problem(outcome, request.url.path)
            return _STATUS[outcome.status], msgspec.json.encode(outcome)

        response = await idempotent(request, idempotency_store, idempotency_key, produce)
        if response.status_code == _STATUS["rejected"]:  # a replay is stored with the JSON media type
            response.media_type = PROBLEM_JSON
        return response

    @post("/runs", operation_id="RunReconciliation", guards=[requires_scope("recon:write")], status_code=200)
    async def run(
        self, request: Request[Any, Any, Any], data: RunRequest, reconciler: PostgresReconciler
    ) -> RunSummary:
        """Run every control for a legal entity; running again with nothing new changes nothing."""
        check_entity(request, data.legal_entity_id)
        return await reconciler.run(data.legal_entity_id, data.as_of or datetime.now(UTC))

    @get("/status", operation_id="GetReconStatus", guards=[requires_scope("recon:read")])
    async def status(
        self,
        request: Request[Any, Any, Any],
        queries: ReconQueries,
        session_factory: async_sessionmaker[AsyncSession],
        legal_entity_id: Annotated[str | None, QueryParameter(name="legal_entity_id", required=False)] = None,
    ) -> dict[str, int]:
        """Row counts of the read models and files (to see that consumers caught up). A key bound to
        legal entities counts only theirs; `legal_entity_id` narrows the counts to one entity."""
        if legal_entity_id is not None:
            check_entity(request, legal_entity_id)
            return await status_for_entities(session_factory, [legal_entity_id])
        bound = principal_of(request).legal_entities
        if bound:
            return await status_for_entities(session_factory, bound)
        return await queries.status()

    @put(
        "/cutoffs/{legal_entity_id:str}/{period_id:str}",
        operation_id="SetReconCutoff",
        guards=[requires_scope("recon:write")],
    )
    async def set_cutoff(
        self,
        request: Request[Any, Any, Any],
        legal_entity_id: str,
        period_id: str,
        data: CutoffRequest,
        session_factory: async_sessionmaker[AsyncSession],
    ) -> dict[str, str]:
        """Files for this period arriving after `cutoff_at` count in the next period."""
        check_entity(request, legal_entity_id)
        async with session_factory() as session, session.begin():
            await session.execute(
                text(
                    "INSERT INTO recon_cutoffs (legal_entity_id, period_id, cutoff_at) VALUES (:e, :p, :c)"
                    " ON CONFLICT (legal_entity_id, period_id) DO UPDATE SET cutoff_at = excluded.cutoff_at"
                ),
                {"e": legal_entity_id, "p": period_id, "c": data.cutoff_at},
            )
        return {
            "legal_entity_id": legal_entity_id,
            "period_id": period_id,
            "cutoff_at": data.cutoff_at.isoformat(),
        }
