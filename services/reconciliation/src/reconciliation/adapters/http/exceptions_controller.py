"""REST /v1/recon/exceptions (the maker-checker workflow) and /v1/recon/close-readiness."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from canon.money import Money
from litestar import Controller, Request, get, post
from litestar.params import QueryParameter
from retail_platform.auth import principal_of, requires_scope
from retail_platform.problems import ProblemError, not_found

from reconciliation.adapters.http.files_controller import check_entity
from reconciliation.adapters.http.schemas import AssignRequest, ProposeRequest, RejectRequest
from reconciliation.adapters.postgres.queries import ExceptionView, ReconQueries, UnknownPeriodError
from reconciliation.application.use_cases.exception_workflow import ExceptionWorkflow, UnknownExceptionError
from reconciliation.domain.rules import Tolerances
from reconciliation.domain.workflow import AdjustingEntry, MakerCheckerError, WorkflowError

Query = QueryParameter


async def _visible(
    request: Request[Any, Any, Any], queries: ReconQueries, exception_id: str
) -> ExceptionView:
    found = await queries.exception(exception_id, datetime.now(UTC))
    if found is None:
        raise not_found("exception", exception_id)
    check_entity(request, found.legal_entity_id)
    return found


def _entity_filter(request: Request[Any, Any, Any], legal_entity_id: str | None) -> str | None:
    bound = principal_of(request).legal_entities
    if legal_entity_id is not None:
        check_entity(request, legal_entity_id)
        return legal_entity_id
    if len(bound) == 1:
        return bound[0]
    if bound:
        raise ProblemError(
            403, "Forbidden", "a key bound to several legal entities must name one", field="legal_entity_id"
        )
    return None


async def _step(
    request: Request[Any, Any, Any], queries: ReconQueries, exception_id: str, action: Any
) -> ExceptionView:
    await _visible(request, queries, exception_id)
    try:
        await action(principal_of(request).owner)
    except MakerCheckerError as error:
        raise ProblemError(403, "Maker-checker", error.reason, type="urn:retail-sync:maker-checker") from None
    except WorkflowError as error:
        raise ProblemError(409, "Conflict", error.reason) from None
    except UnknownExceptionError:
        raise not_found("exception", exception_id) from None
    return await _visible(request, queries, exception_id)


class ReconExceptionsController(Controller):
    path = "/v1/recon"
    tags = ["reconciliation"]

    @get("/exceptions", operation_id="ListReconExceptions", guards=[requires_scope("recon:read")])
    async def list_exceptions(
        self,
        request: Request[Any, Any, Any],
        queries: ReconQueries,
        legal_entity_id: Annotated[str | None, Query(name="legal_entity_id", required=False)] = None,
        period_id: Annotated[str | None, Query(name="period_id", required=False)] = None,
        status: Annotated[str | None, Query(name="status", required=False)] = None,
        exception_type: Annotated[str | None, Query(name="type", required=False)] = None,
        after: Annotated[str | None, Query(name="after", required=False)] = None,
        limit: Annotated[int, Query(name="limit", ge=1, le=1000)] = 100,
    ) -> list[ExceptionView]:
        """Exceptions ordered by id, a page at a time (pass the last id as `after`). A key bound to one
        legal entity lists only that entity's; bound to several, it must name one of them."""
        legal_entity_id = _entity_filter(request, legal_entity_id)
        return await queries.exceptions(
            legal_entity_id=legal_entity_id,
            period_id=period_id,
            status=status,
            exception_type=exception_type,
            now=datetime.now(UTC),
            limit=limit,
            after=after,
        )

    @get(
        "/exceptions/{exception_id:str}",
        operation_id="GetReconException",
        guards=[requires_scope("recon:read")],
    )
    async def get_exception(
        self, request: Request[Any, Any, Any], exception_id: str, queries: ReconQueries
    ) -> ExceptionView:
        """One exception with its evidence from both sides and its audit trail."""
        return await _visible(request, queries, exception_id)

    @post(
        "/exceptions/{exception_id:str}/assign",
        operation_id="AssignReconException",
        guards=[requires_scope("recon:resolve")],
        status_code=200,
    )
    async def assign(
        self,
        request: Request[Any, Any, Any],
        exception_id: str,
        data: AssignRequest,
        queries: ReconQueries,
        workflow: ExceptionWorkflow,
    ) -> ExceptionView:
        return await _step(
            request, queries, exception_id, lambda actor: workflow.assign(exception_id, data.owner, actor)
        )

    @post(
        "/exceptions/{exception_id:str}/propose",
        operation_id="ProposeReconResolution",
        guards=[requires_scope("recon:resolve")],
        status_code=200,
    )
    async def propose(
        self,
        request: Request[Any, Any, Any],
        exception_id: str,
        data: ProposeRequest,
        queries: ReconQueries,
        workflow: ExceptionWorkflow,
    ) -> ExceptionView:
        body = data.adjusting_entry
        entry = (
            None
            if body is None
            else AdjustingEntry(body.kind, Money(body.amount_minor, body.currency), body.memo)
        )
        return await _step(
            request,
            queries,
            exception_id,
            lambda actor: workflow.propose(exception_id, data.reason_code, entry, actor),
        )

    @post(
        "/exceptions/{exception_id:str}/approve",
        operation_id="ApproveReconResolution",
        guards=[requires_scope("recon:approve")],
        status_code=200,
    )
    async def approve(
        self,
        request: Request[Any, Any, Any],
        exception_id: str,
        queries: ReconQueries,
        workflow: ExceptionWorkflow,
    ) -> ExceptionView:
        """A second user approves: the exception is resolved and its adjusting entry posted."""
        return await _step(
            request, queries, exception_id, lambda actor: workflow.approve(exception_id, actor)
        )

    @post(
        "/exceptions/{exception_id:str}/reject",
        operation_id="RejectReconResolution",
        guards=[requires_scope("recon:approve")],
        status_code=200,
    )
    async def reject(
        self,
        request: Request[Any, Any, Any],
        exception_id: str,
        data: RejectRequest,
        queries: ReconQueries,
        workflow: ExceptionWorkflow,
    ) -> ExceptionView:
        return await _step(
            request, queries, exception_id, lambda actor: workflow.reject(exception_id, actor, data.note)
        )

    @get(
        "/close-readiness/{legal_entity_id:str}/{period_id:str}",
        operation_id="GetCloseReadiness",
        guards=[requires_scope("recon:read")],
    )
    async def close_readiness(
        self,
        request: Request[Any, Any, Any],
        legal_entity_id: str,
        period_id: str,
        queries: ReconQueries,
        tolerances: Tolerances,
        as_of: Annotated[datetime | None, Query(name="as_of", required=False)] = None,
    ) -> dict[str, Any]:
        """What remains before the period can close: open exceptions and timing differences by
        channel, exception ageing, and the cut-off with the late files it moved."""
        check_entity(request, legal_entity_id)
        try:
            return await queries.close_readiness(
                legal_entity_id, period_id, as_of or datetime.now(UTC), tolerances
            )
        except UnknownPeriodError:
            raise not_found("period", period_id) from None
