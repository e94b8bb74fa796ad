"""REST /api: what the page calls. Every call carries the person's API key (X-API-Key), forwarded to
the services; the console adds no rights of its own."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from litestar import Controller, Request, get, post
from litestar.params import QueryParameter
from messaging.dlq import DeadLetterNotFoundError
from retail_platform.problems import ProblemError, not_found

from console import panels
from console.access import KeyAccess, key_access, require_operator
from console.dlq import DeadLetterGateway, DeadLetterList
from console.upstream import API_KEY_HEADER, Upstream
from console.views.drift import DriftSummary
from console.views.trace import OrderTraceView

Query = QueryParameter
OptionalText = Annotated[str | None, Query(required=False)]
WorkflowStep = Literal["assign", "propose", "approve", "reject"]
_STEP_OPERATIONS: dict[str, str] = {
    "assign": "AssignReconException",
    "propose": "ProposeReconResolution",
    "approve": "ApproveReconResolution",
    "reject": "RejectReconResolution",
}


def api_key_of(request: Request[Any, Any, Any]) -> str:
    key = (request.headers.get(API_KEY_HEADER) or "").strip()
    if not key:
        raise ProblemError(
            401, "Unauthorized", f"type your API key: it is sent in the {API_KEY_HEADER} header"
        )
    return key


def current_month() -> str:
    return f"{datetime.now(UTC):%Y-%m}"


class ConsoleApiController(Controller):
    path = "/api"
    tags = ["console"]

    @get("/session", operation_id="ConsoleSession")
    async def session(self, request: Request[Any, Any, Any], upstream: Upstream) -> KeyAccess:
        """What the key may see per service, and whether it may approve and replay dead letters."""
        return await key_access(upstream, api_key_of(request))

    @get("/promotions/deployments", operation_id="ConsoleDeployments")
    async def deployments(
        self,
        request: Request[Any, Any, Any],
        upstream: Upstream,
        promotion_ids: Annotated[list[str] | None, Query(name="promotion_id", required=False)] = None,
    ) -> panels.DeploymentsPanel:
        return await panels.deployments_panel(
            upstream, api_key_of(request), promotion_ids or [], datetime.now(UTC)
        )

    @get("/inventory/drift", operation_id="ConsoleDrift")
    async def drift(
        self,
        request: Request[Any, Any, Any],
        upstream: Upstream,
        start: Annotated[datetime | None, Query(required=False)] = None,
        end: Annotated[datetime | None, Query(required=False)] = None,
    ) -> DriftSummary:
        return await panels.drift_panel(upstream, api_key_of(request), start, end)

    @get("/ledger/latency", operation_id="ConsoleLatency")
    async def latency(self, request: Request[Any, Any, Any], upstream: Upstream) -> panels.LatencyPanel:
        api_key_of(request)
        return await panels.latency_panel(upstream)

    @get("/messaging", operation_id="ConsoleMessaging")
    async def messaging(self, request: Request[Any, Any, Any], upstream: Upstream) -> panels.MessagingPanel:
        api_key_of(request)
        return await panels.messaging_panel(upstream)

    @get("/recon/exceptions", operation_id="ConsoleExceptions")
    async def exceptions(
        self,
        request: Request[Any, Any, Any],
        upstream: Upstream,
        exception_type: Annotated[str | None, Query(name="type", required=False)] = None,
        status: OptionalText = None,
        legal_entity_id: OptionalText = None,
        period_id: OptionalText = None,
        after: OptionalText = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    ) -> list[dict[str, Any]]:
        query = {
            "type": exception_type,
            "status": status,
            "legal_entity_id": legal_entity_id,
            "period_id": period_id,
            "after": after,
            "limit": limit,
        }
        return await upstream.call(
            "reconciliation", "ListReconExceptions", api_key=api_key_of(request), query=query
        )

    @get("/recon/exceptions/{exception_id:str}", operation_id="ConsoleException")
    async def exception(
        self, request: Request[Any, Any, Any], upstream: Upstream, exception_id: str
    ) -> dict[str, Any]:
        return await upstream.call(
            "reconciliation",
            "GetReconException",
            api_key=api_key_of(request),
            path={"exception_id": exception_id},
        )

    @post(
        "/recon/exceptions/{exception_id:str}/{step:str}",
        operation_id="ConsoleExceptionStep",
        status_code=200,
    )
    async def exception_step(
        self,
        request: Request[Any, Any, Any],
        upstream: Upstream,
        exception_id: str,
        step: str,
        data: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """assign {owner}, propose {reason_code, adjusting_entry?}, approve, reject {note}."""
        if step not in _STEP_OPERATIONS:
            raise not_found("workflow step", step)
        return await upstream.call(
            "reconciliation",
            _STEP_OPERATIONS[step],
            api_key=api_key_of(request),
            path={"exception_id": exception_id},
            body=data if data is not None or step in ("assign", "propose") else None,
        )

    @get("/recon/close-readiness", operation_id="ConsoleCloseReadiness")
    async def close_readiness(
        self,
        request: Request[Any, Any, Any],
        upstream: Upstream,
        period_id: OptionalText = None,
        legal_entity_ids: Annotated[list[str] | None, Query(name="legal_entity_id", required=False)] = None,
    ) -> panels.ReadinessPanel:
        """Every legal entity of master data (or those named) for one period (default: this month)."""
        return await panels.readiness_panel(
            upstream, api_key_of(request), period_id or current_month(), legal_entity_ids or []
        )

    @get("/trace/{order_id:str}", operation_id="ConsoleTrace")
    async def trace(
        self, request: Request[Any, Any, Any], upstream: Upstream, order_id: str
    ) -> OrderTraceView:
        return await panels.trace_panel(upstream, api_key_of(request), order_id)

    @get("/dlq", operation_id="ConsoleDeadLetters")
    async def dead_letters(
        self,
        request: Request[Any, Any, Any],
        upstream: Upstream,
        dead_letter_gateway: DeadLetterGateway,
        consumer: OptionalText = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> DeadLetterList:
        await require_operator(upstream, api_key_of(request))
        return await dead_letter_gateway.list(limit, consumer)

    @post("/dlq/{seq:int}/replay", operation_id="ConsoleReplayDeadLetter", status_code=200)
    async def replay(
        self,
        request: Request[Any, Any, Any],
        upstream: Upstream,
        dead_letter_gateway: DeadLetterGateway,
        seq: int,
    ) -> dict[str, int]:
        """Publish the dead letter again to its original subject and remove it from the DLQ."""
        await require_operator(upstream, api_key_of(request))
        try:
            await dead_letter_gateway.replay(seq)
        except DeadLetterNotFoundError:
            raise not_found("dead letter", str(seq)) from None
        return {"replayed": seq}
