"""Which operations a service offers, read from its OpenAPI document (pure).

The console calls services by `operationId`, not by hard-coded paths: a panel whose operation a
service does not (yet) publish shows "not available" instead of guessing, and a moved path follows
the service's own schema.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import msgspec

_PATH_PARAMETER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::[^}]*)?\}")
_METHODS = ("get", "post", "put", "patch", "delete")


class Operation(msgspec.Struct, frozen=True, kw_only=True):
    operation_id: str
    method: str
    """Upper case, e.g. GET."""
    path_template: str
    """As in the OpenAPI document, e.g. /v1/recon/exceptions/{exception_id}."""

    def path(self, **parameters: str) -> str:
        """The path with each `{name}` replaced by its percent-encoded value; a missing one is an error."""

        def substitute(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in parameters:
                raise KeyError(f"{self.operation_id}: path parameter {name!r} not given")
            return quote(str(parameters[name]), safe="")

        return _PATH_PARAMETER.sub(substitute, self.path_template)


def operations_of(openapi: dict[str, Any]) -> dict[str, Operation]:
    """Every operation with an operationId in an OpenAPI 3 document, by operationId."""
    found: dict[str, Operation] = {}
    paths = openapi.get("paths")
    if not isinstance(paths, dict):
        return found
    for path_template, item in paths.items():
        if not isinstance(item, dict):
            continue
        for method in _METHODS:
            operation = item.get(method)
            if isinstance(operation, dict) and isinstance(operation.get("operationId"), str):
                operation_id = operation["operationId"]
                found[operation_id] = Operation(
                    operation_id=operation_id, method=method.upper(), path_template=path_template
                )
    return found
