"""Upstream failures as problem+json: a service's own problem is passed on with its status (so the page
shows the service's detail, e.g. a 403 from maker-checker); a missing operation is a 501 "not
available"; an unreachable service a 502."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, Response
from retail_platform.problems import PROBLEM_JSON

from console.errors import OperationNotAvailableError, UpstreamError, UpstreamProblemError

NOT_AVAILABLE_TYPE = "urn:retail-sync:problem:not-available"
UNREACHABLE_TYPE = "urn:retail-sync:problem:upstream-unreachable"


def upstream_problem(error: UpstreamError, instance: str) -> dict[str, Any]:
    if isinstance(error, UpstreamProblemError):
        return {**error.problem, "status": error.status, "service": error.service}
    if isinstance(error, OperationNotAvailableError):
        return {
            "type": NOT_AVAILABLE_TYPE,
            "title": "Not available",
            "status": error.status,
            "detail": error.detail,
            "instance": instance,
            "service": error.service,
            "operation_id": error.operation_id,
        }
    return {
        "type": UNREACHABLE_TYPE,
        "title": "Service unreachable",
        "status": error.status,
        "detail": error.detail,
        "instance": instance,
        "service": error.service,
    }


def render_upstream_error(request: Request[Any, Any, Any], error: UpstreamError) -> Response[bytes]:
    problem = upstream_problem(error, request.url.path)
    return Response(
        content=msgspec.json.encode(problem), status_code=int(problem["status"]), media_type=PROBLEM_JSON
    )
