"""`GET /v1/whoami`: what the presented API key is (owner, scopes, bindings), never its secret.

Lets an integration team check a key before wiring it in, and lets the console decide what to show
(e.g. the DLQ panel needs the `ops:dlq` scope and an unbound key) without probing other operations.
"""

from __future__ import annotations

import msgspec
from litestar import get
from litestar.di import NamedDependency

from retail_platform.principal import ApiKeyBindings, Principal


class WhoAmI(msgspec.Struct, frozen=True, kw_only=True):
    key_id: str
    owner: str
    scopes: list[str]
    bindings: ApiKeyBindings


@get("/v1/whoami", operation_id="WhoAmI", tags=["administration"], summary="The calling API key")
async def whoami(principal: NamedDependency[Principal]) -> WhoAmI:
    return WhoAmI(
        key_id=principal.key_id,
        owner=principal.owner,
        scopes=sorted(principal.scopes),
        bindings=ApiKeyBindings(
            channels=principal.channels,
            legal_entities=principal.legal_entities,
            store_clusters=principal.store_clusters,
        ),
    )
