"""What the presented API key may do, asked of the services themselves (the console keeps no keys).

A probe calls a guarded operation for a resource that cannot exist: the guard runs before the
handler, so 401 means the key is unknown, 403 that it lacks the scope, and 404 that the guard let it
through (and nothing changed).

The DLQ operator: dead letters carry every context's payloads, so reading and replaying them needs
the `ops:dlq` scope on a key with no channel, legal-entity or store-cluster binding, asked of the
services' `GET /v1/whoami`.
"""

from __future__ import annotations

import msgspec
from retail_platform.api_keys import MalformedApiKeyError, parse_api_key
from retail_platform.principal import ApiKeyBindings, Principal
from retail_platform.problems import ProblemError

from console.errors import UpstreamError
from console.upstream import Upstream

PROBE_ID = "console-scope-probe"
OPERATOR_SCOPE = "ops:dlq"
WHOAMI_SERVICES = ("reconciliation", "master_data", "order_ledger", "inventory", "promotion")


class Probe(msgspec.Struct, frozen=True, kw_only=True):
    service: str
    operation_id: str
    path: dict[str, str] = {}
    query: dict[str, str] = {}
    body: dict[str, str] | None = None


READ_PROBES: tuple[Probe, ...] = (
    Probe(
        service="master_data",
        operation_id="ListMasterRecords",
        path={"record_type": "legal_entity"},
        query={"limit": "1"},
    ),
    Probe(service="promotion", operation_id="GetPromotion", path={"promotion_id": PROBE_ID}),
    Probe(service="inventory", operation_id="GetDriftRates"),
    Probe(service="order_ledger", operation_id="TraceOrder", path={"order_id": PROBE_ID}),
    Probe(service="reconciliation", operation_id="ListReconExceptions", query={"limit": "1"}),
)
APPROVER_PROBE = Probe(
    service="reconciliation", operation_id="ApproveReconResolution", path={"exception_id": PROBE_ID}
)


class KeyAccess(msgspec.Struct, frozen=True, kw_only=True):
    key_id: str | None
    """The public part of the key (rs_<key_id>_...), to show whose key is in use."""
    services: dict[str, str]
    """Per service: ok, no access, unknown key, unreachable, not available, error."""
    approver: bool | None
    operator: bool | None


def outcome(status: int) -> str:
    if status == 401:
        return "unknown key"
    if status == 403:
        return "no access"
    if status >= 500:
        return "error"
    return "ok"


async def probe(upstream: Upstream, api_key: str, check: Probe) -> str:
    try:
        response = await upstream.send(
            check.service,
            check.operation_id,
            api_key=api_key,
            path=check.path,
            query=dict(check.query),
            body=check.body,
        )
    except UpstreamError as error:
        return "not available" if error.status == 501 else "unreachable"
    return outcome(response.status_code)


def key_id_of(api_key: str) -> str | None:
    try:
        return parse_api_key(api_key)[0]
    except MalformedApiKeyError:
        return None


class _WhoAmI(msgspec.Struct, kw_only=True):
    key_id: str
    owner: str
    scopes: list[str]
    bindings: ApiKeyBindings = ApiKeyBindings()


async def operator_check(upstream: Upstream, api_key: str) -> str:
    """`operator`, `no scope`, `bound`, `unknown key`, or why no service could answer."""
    last = "unreachable"
    for service in WHOAMI_SERVICES:
        try:
            response = await upstream.send(service, "WhoAmI", api_key=api_key)
        except UpstreamError as error:
            last = "not available" if error.status == 501 else "unreachable"
            continue
        if response.status_code == 401:
            return "unknown key"
        if response.status_code != 200:
            last = "error"
            continue
        who = msgspec.json.decode(response.content, type=_WhoAmI)
        principal = Principal(key_id=who.key_id, owner=who.owner, scopes=tuple(who.scopes))
        if not principal.has_scope(OPERATOR_SCOPE):
            return "no scope"
        bindings = who.bindings
        if bindings.channels or bindings.legal_entities or bindings.store_clusters:
            return "bound"
        return "operator"
    return last


async def key_access(upstream: Upstream, api_key: str) -> KeyAccess:
    services = {check.service: await probe(upstream, api_key, check) for check in READ_PROBES}
    approver = await probe(upstream, api_key, APPROVER_PROBE)
    granted = None if approver in ("unreachable", "not available", "error") else approver == "ok"
    operator = await operator_check(upstream, api_key)
    is_operator = None if operator in ("unreachable", "not available", "error") else operator == "operator"
    return KeyAccess(key_id=key_id_of(api_key), services=services, approver=granted, operator=is_operator)


async def require_operator(upstream: Upstream, api_key: str) -> None:
    """Raises a 401/403/503 problem unless the key holds the operator scope and no binding."""
    result = await operator_check(upstream, api_key)
    if result == "operator":
        return
    if result == "unknown key":
        raise ProblemError(401, "Unauthorized", "the API key is unknown or revoked")
    if result == "no scope":
        raise ProblemError(
            403,
            "Forbidden",
            f"the DLQ needs an operator key: this API key lacks the scope {OPERATOR_SCOPE!r}",
        )
    if result == "bound":
        raise ProblemError(
            403,
            "Forbidden",
            "the DLQ holds every channel's and legal entity's messages: it needs a key without bindings",
        )
    raise ProblemError(
        503, "Service Unavailable", f"cannot check the API key: no service answered ({result})"
    )
