"""`PUT /v1/admin/api-keys`: an administrator issues an integrator's or a person's API key over HTTP.

Without it the only key a running service knows is its bootstrap key (owner `bootstrap`), so nothing
that needs a second user (promotion approval, exception resolution: segregation of duties) can be done
without writing to the service's database. Rules:
- only a key holding `keys:admin` (the bootstrap key holds `*`) may issue keys;
- the caller may name the plaintext (`api_key`), so the same key can be installed in every service,
  as the bootstrap key is; without it a new key is generated and shown once, in this answer;
- re-issuing a named key updates its owner, scopes and bindings (idempotent).
"""

from __future__ import annotations

import msgspec
from litestar import Router, put
from litestar.di import NamedDependency, Provide
from litestar.params import JSONBody

from retail_platform.api_keys import ApiKeyStore, MalformedApiKeyError, generate_api_key, parse_api_key
from retail_platform.auth import requires_scope
from retail_platform.principal import ApiKeyBindings
from retail_platform.problems import ProblemError

KEY_ADMIN_SCOPE = "keys:admin"


class IssueKeyRequest(msgspec.Struct, frozen=True, kw_only=True):
    owner: str
    """Who acts with the key (audit trails and the second-user checks compare owners)."""
    scopes: list[str]
    bindings: ApiKeyBindings = ApiKeyBindings()
    api_key: str | None = None
    """The plaintext to install (rs_<key_id>_<secret>); omitted: a new one is generated."""


class IssuedKey(msgspec.Struct, frozen=True, kw_only=True):
    key_id: str
    owner: str
    scopes: list[str]
    api_key: str | None
    """The plaintext, only when this call generated it."""


@put(
    "/api-keys",
    operation_id="IssueApiKey",
    guards=[requires_scope(KEY_ADMIN_SCOPE)],
    tags=["administration"],
    summary="Issue (or re-issue) an API key with scopes and bindings",
)
async def issue_api_key(
    data: JSONBody[IssueKeyRequest], api_key_store: NamedDependency[ApiKeyStore]
) -> IssuedKey:
    owner = data.owner.strip()
    if not owner:
        raise ProblemError(422, "Invalid key", "owner must not be empty", field="owner")
    if not data.scopes or any(not scope.strip() for scope in data.scopes):
        raise ProblemError(422, "Invalid key", "at least one non-empty scope is needed", field="scopes")
    generated = data.api_key is None
    plaintext = generate_api_key()[1] if data.api_key is None else data.api_key
    try:
        parse_api_key(plaintext)
    except MalformedApiKeyError as error:
        raise ProblemError(422, "Invalid key", str(error), field="api_key") from None
    key_id = await api_key_store.install(plaintext, owner=owner, scopes=data.scopes, bindings=data.bindings)
    return IssuedKey(
        key_id=key_id, owner=owner, scopes=sorted(set(data.scopes)), api_key=plaintext if generated else None
    )


def key_admin_router(store: ApiKeyStore) -> Router:
    """The admin routes, with the service's key store as their dependency."""
    return Router(
        path="/v1/admin",
        route_handlers=[issue_api_key],
        dependencies={"api_key_store": Provide(lambda: store, use_cache=True, sync_to_thread=False)},
    )
