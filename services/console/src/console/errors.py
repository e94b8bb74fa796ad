"""What can go wrong reaching a service, as the console reports it to the page."""

from __future__ import annotations

from typing import Any


class UpstreamError(Exception):
    """A call to a service did not give a usable answer."""

    status = 502

    def __init__(self, service: str, detail: str) -> None:
        super().__init__(f"{service}: {detail}")
        self.service = service
        self.detail = detail


class ServiceUnreachableError(UpstreamError):
    """The service did not answer (not running, refused, timed out)."""

    status = 502


class OperationNotAvailableError(UpstreamError):
    """The service does not publish the operation the panel needs (not built yet)."""

    status = 501

    def __init__(self, service: str, operation_id: str) -> None:
        super().__init__(service, f"the service offers no {operation_id} operation")
        self.operation_id = operation_id


class UpstreamProblemError(UpstreamError):
    """The service refused or failed the call; its problem+json is passed on as it is."""

    def __init__(self, service: str, status: int, problem: dict[str, Any]) -> None:
        detail = str(problem.get("detail") or problem.get("title") or f"HTTP {status}")
        super().__init__(service, detail)
        self.status = status
        self.problem = problem
