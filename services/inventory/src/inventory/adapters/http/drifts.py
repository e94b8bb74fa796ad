"""REST /v1/drifts and /v1/drift-rates: balancing results and drift rate by node over a window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from litestar import Controller, get
from litestar.params import QueryParameter
from retail_platform.auth import requires_scope
from retail_platform.principal import Principal
from retail_platform.problems import ProblemError

from inventory.adapters.http.access import require_unbound
from inventory.adapters.http.schemas import DriftRateView, DriftView
from inventory.adapters.postgres.queries import InventoryQueries
from inventory.application.queries.drift_rate import GetDriftRates

Start = Annotated[
    datetime | None, QueryParameter(name="start", required=False, description="default: end - 1 day")
]
End = Annotated[datetime | None, QueryParameter(name="end", required=False, description="default: now")]


def window(start: datetime | None, end: datetime | None) -> tuple[datetime, datetime]:
    end = end or datetime.now(UTC)
    start = start or end - timedelta(days=1)
    if start.tzinfo is None or end.tzinfo is None:
        raise ProblemError(400, "Invalid window", "start and end need a UTC offset", field="start")
    if start >= end:
        raise ProblemError(400, "Invalid window", "start must be before end", field="start")
    return start, end


class DriftController(Controller):
    tags = ["balancing"]

    @get("/v1/drifts", operation_id="ListDrifts", guards=[requires_scope("inventory:read")])
    async def drifts(
        self,
        principal: Principal,
        queries: InventoryQueries,
        start: Start = None,
        end: End = None,
        node: Annotated[str | None, QueryParameter(name="node", required=False)] = None,
        limit: Annotated[int, QueryParameter(name="limit", ge=1, le=5000)] = 1000,
    ) -> list[DriftView]:
        """Snapshot lines balanced in the window (as_of in [start, end)), oldest first."""
        require_unbound(principal)
        begin, finish = window(start, end)
        return [DriftView.of(drift) for drift in await queries.drifts(begin, finish, node, limit)]

    @get("/v1/drift-rates", operation_id="GetDriftRates", guards=[requires_scope("inventory:read")])
    async def rates(
        self, principal: Principal, get_drift_rates: GetDriftRates, start: Start = None, end: End = None
    ) -> list[DriftRateView]:
        """Per node: snapshot lines, lines with drift, their share (the drift rate), units and value."""
        require_unbound(principal)
        begin, finish = window(start, end)
        return [DriftRateView.of(rate) for rate in (await get_drift_rates(begin, finish)).values()]
