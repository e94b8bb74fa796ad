"""RFC 9457 problem details (`application/problem+json`) for every error a service answers with.

Field-level faults are listed in `errors: [{field, reason}]`, so an integrator sees which value to fix.
Unexpected exceptions become a bare 500: the detail never carries internals; the exception is logged.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

import msgspec
from canon.errors import ValidationError as CanonValidationError
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.types import ExceptionHandlersMap

from retail_platform.logging import correlation_id_var, get_logger

PROBLEM_JSON = "application/problem+json"
CORRELATION_HEADER = "X-Correlation-Id"
VALIDATION_TYPE = "urn:retail-sync:problem:validation-error"
INVALID_REQUEST_TYPE = "urn:retail-sync:problem:invalid-request"
_MISSING_PARAMETER = re.compile(r"Missing required \w+ parameter '(?P<name>[^']+)'")

_log = get_logger(__name__)


class FieldError(msgspec.Struct, frozen=True, kw_only=True):
    field: str
    reason: str


class Problem(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    type: str
    title: str
    status: int
    detail: str = ""
    instance: str = ""
    errors: tuple[FieldError, ...] = ()


class ProblemError(Exception):
    """A domain or application error an HTTP adapter renders as a problem (e.g. not found, conflict)."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str = "",
        *,
        field: str | None = None,
        type: str = "about:blank",  # the RFC 9457 member name
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail or title)
        self.status = status
        self.title = title
        self.detail = detail
        self.field = field
        self.type = type
        self.headers = dict(headers or {})


def not_found(what: str, identifier: str) -> ProblemError:
    return ProblemError(404, "Not found", f"{what} {identifier!r} does not exist")


def problem_response(problem: Problem, headers: Mapping[str, str] | None = None) -> Response[bytes]:
    all_headers = dict(headers or {})
    if (correlation_id := correlation_id_var.get()) is not None:
        all_headers.setdefault(CORRELATION_HEADER, correlation_id)
    return Response(
        content=msgspec.json.encode(problem),
        status_code=problem.status,
        media_type=PROBLEM_JSON,
        headers=all_headers,
    )


def _title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _with_request_correlation(request: Request[Any, Any, Any], response: Response[bytes]) -> Response[bytes]:
    correlation_id = request.scope.get("state", {}).get("correlation_id")
    if correlation_id:
        response.headers.setdefault(CORRELATION_HEADER, correlation_id)
    return response


def render_problem_error(request: Request[Any, Any, Any], exc: ProblemError) -> Response[bytes]:
    errors = (FieldError(field=exc.field, reason=exc.detail or exc.title),) if exc.field else ()
    problem = Problem(
        type=exc.type,
        title=exc.title,
        status=exc.status,
        detail=exc.detail,
        instance=request.url.path,
        errors=errors,
    )
    return _with_request_correlation(request, problem_response(problem, exc.headers))


def render_canon_validation(request: Request[Any, Any, Any], exc: CanonValidationError) -> Response[bytes]:
    problem = Problem(
        type=VALIDATION_TYPE,
        title="Validation failed",
        status=422,
        detail=f"{exc.field}: {exc.reason}",
        instance=request.url.path,
        errors=(FieldError(field=exc.field, reason=exc.reason),),
    )
    return _with_request_correlation(request, problem_response(problem))


def render_request_validation(request: Request[Any, Any, Any], exc: ValidationException) -> Response[bytes]:
    """litestar's 400 for a body/query/path value that did not parse; `extra` holds {key, message}."""
    entries = exc.extra if isinstance(exc.extra, list) else []
    errors = tuple(
        FieldError(field=str(entry.get("key") or entry.get("source") or "body"), reason=str(entry["message"]))
        for entry in entries
        if isinstance(entry, dict) and "message" in entry
    )
    if not errors and (missing := _MISSING_PARAMETER.search(str(exc.detail))):
        errors = (FieldError(field=missing["name"], reason=str(exc.detail).split(" for path ")[0]),)
    detail = "; ".join(f"{error.field}: {error.reason}" for error in errors) or str(exc.detail)
    problem = Problem(
        type=INVALID_REQUEST_TYPE,
        title="Invalid request",
        status=400,
        detail=detail,
        instance=request.url.path,
        errors=errors,
    )
    return _with_request_correlation(request, problem_response(problem))


def render_http_exception(request: Request[Any, Any, Any], exc: HTTPException) -> Response[bytes]:
    """A bare 400 from the framework is a body it could not read (e.g. malformed JSON): named `body`."""
    status = exc.status_code
    detail = str(exc.detail) if exc.detail and exc.detail != _title(status) else ""
    problem = Problem(
        type="about:blank",
        title=_title(status),
        status=status,
        detail=detail,
        instance=request.url.path,
        errors=(FieldError(field="body", reason=detail or _title(status)),) if status == 400 else (),
    )
    return _with_request_correlation(request, problem_response(problem, exc.headers))


_UNTRANSLATABLE_CHARACTER = "22021"  # PostgreSQL: e.g. a NUL character in a text value


def _is_untranslatable_text(exc: BaseException) -> bool:
    """The database refused a character (NUL) in a value the request carried: the caller's fault."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if getattr(current, "sqlstate", None) == _UNTRANSLATABLE_CHARACTER:
            return True
        current = getattr(current, "orig", None) or current.__cause__
    return False


def render_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    if _is_untranslatable_text(exc):
        reason = "text values may not contain NUL characters"
        problem = Problem(
            type=INVALID_REQUEST_TYPE,
            title="Invalid request",
            status=400,
            detail=f"body: {reason}",
            instance=request.url.path,
            errors=(FieldError(field="body", reason=reason),),
        )
        return _with_request_correlation(request, problem_response(problem))
    _log.error(
        "unhandled_exception",
        path=request.url.path,
        method=request.method,
        exc_info=(type(exc), exc, exc.__traceback__),
    )
    problem = Problem(
        type="about:blank",
        title="Internal Server Error",
        status=500,
        detail="The service failed to handle the request; quote the correlation id when reporting it.",
        instance=request.url.path,
    )
    return _with_request_correlation(request, problem_response(problem))


def problem_exception_handlers() -> ExceptionHandlersMap:
    """Handlers for `Litestar(exception_handlers=...)`; the most specific class wins."""
    return {
        ValidationException: render_request_validation,
        HTTPException: render_http_exception,
        CanonValidationError: render_canon_validation,
        ProblemError: render_problem_error,
        Exception: render_unexpected,
    }
