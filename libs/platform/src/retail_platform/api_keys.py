"""API keys per integrator, stored hashed.

A key reads `rs_<key_id>_<secret>`: the key id (public) finds the row, the SHA-256 of the secret
(256 random bits) is compared in constant time. The plaintext is shown once, at creation, and never
stored. Successful look-ups are cached for `cache_ttl_s` so authentication does not query the database
on every request; a revocation is seen at once by this process, by others within the TTL.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from collections import OrderedDict
from collections.abc import Iterable

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from retail_platform.principal import ApiKeyBindings, Principal
from retail_platform.tables import api_keys

_KEY_FORMAT = re.compile(r"^rs_(?P<key_id>[0-9a-f]{16})_(?P<secret>[A-Za-z0-9_\-]{32,128})$")


class MalformedApiKeyError(ValueError):
    """The text is not an API key of this system (wrong prefix, id or secret length)."""


def generate_api_key() -> tuple[str, str]:
    """A new (key_id, plaintext) pair; the plaintext carries 256 bits of randomness."""
    key_id = secrets.token_hex(8)
    return key_id, f"rs_{key_id}_{secrets.token_urlsafe(32)}"


def parse_api_key(plaintext: str) -> tuple[str, str]:
    """(key_id, secret) of a well-formed key; raises MalformedApiKeyError otherwise."""
    match = _KEY_FORMAT.match(plaintext)
    if match is None:
        raise MalformedApiKeyError("not an rs_<key_id>_<secret> API key")
    return match["key_id"], match["secret"]


def secret_digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode("utf-8")).digest()


class _PrincipalCache:
    """A small LRU of recently authenticated keys, keyed by the digest of the whole plaintext."""

    def __init__(self, ttl_s: float, max_entries: int = 1024) -> None:
        self._ttl_s = ttl_s
        self._max_entries = max_entries
        self._entries: OrderedDict[bytes, tuple[float, Principal]] = OrderedDict()

    def get(self, digest: bytes) -> Principal | None:
        entry = self._entries.get(digest)
        if entry is None:
            return None
        expires_at, principal = entry
        if time.monotonic() >= expires_at:
            del self._entries[digest]
            return None
        self._entries.move_to_end(digest)
        return principal

    def put(self, digest: bytes, principal: Principal) -> None:
        if self._ttl_s <= 0:
            return
        self._entries[digest] = (time.monotonic() + self._ttl_s, principal)
        self._entries.move_to_end(digest)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)

    def evict_key_id(self, key_id: str) -> None:
        for digest in [d for d, (_, p) in self._entries.items() if p.key_id == key_id]:
            del self._entries[digest]


class ApiKeyStore:
    def __init__(
        self, session_factory: async_sessionmaker[AsyncSession], *, cache_ttl_s: float = 30.0
    ) -> None:
        self._session_factory = session_factory
        self._cache = _PrincipalCache(cache_ttl_s)

    async def create(
        self, owner: str, scopes: Iterable[str], bindings: ApiKeyBindings | None = None
    ) -> tuple[str, str]:
        """Store a new key; returns (key_id, plaintext). The plaintext cannot be recovered later."""
        key_id, plaintext = generate_api_key()
        await self.install(plaintext, owner=owner, scopes=scopes, bindings=bindings)
        return key_id, plaintext

    async def install(
        self, plaintext: str, *, owner: str, scopes: Iterable[str], bindings: ApiKeyBindings | None = None
    ) -> str:
        """Store a key chosen elsewhere (the configured bootstrap key); re-installing updates it."""
        key_id, secret = parse_api_key(plaintext)
        bound = bindings or ApiKeyBindings()
        row = {
            "key_id": key_id,
            "secret_sha256": secret_digest(secret),
            "owner": owner,
            "scopes": sorted(set(scopes)),
            "channels": list(bound.channels),
            "legal_entities": list(bound.legal_entities),
            "store_clusters": list(bound.store_clusters),
            "revoked_at": None,
        }
        statement = insert(api_keys).values(row)
        statement = statement.on_conflict_do_update(
            index_elements=[api_keys.c.key_id], set_={k: statement.excluded[k] for k in row if k != "key_id"}
        )
        async with self._session_factory() as session, session.begin():
            await session.execute(statement)
        self._cache.evict_key_id(key_id)
        return key_id

    async def authenticate(self, plaintext: str) -> Principal | None:
        """The principal of a valid, unrevoked key; None for anything else."""
        try:
            key_id, secret = parse_api_key(plaintext)
        except MalformedApiKeyError:
            return None
        cache_digest = hashlib.sha256(plaintext.encode("utf-8")).digest()
        if (cached := self._cache.get(cache_digest)) is not None:
            return cached
        async with self._session_factory() as session:
            row = (
                await session.execute(
                    select(api_keys).where(api_keys.c.key_id == key_id, api_keys.c.revoked_at.is_(None))
                )
            ).one_or_none()
        if row is None or not hmac.compare_digest(row.secret_sha256, secret_digest(secret)):
            return None
        principal = Principal(
            key_id=row.key_id,
            owner=row.owner,
            scopes=tuple(row.scopes),
            channels=tuple(row.channels),
            legal_entities=tuple(row.legal_entities),
            store_clusters=tuple(row.store_clusters),
        )
        self._cache.put(cache_digest, principal)
        return principal

    async def revoke(self, key_id: str) -> bool:
        """Revoke a key; False when no active key has that id."""
        async with self._session_factory() as session, session.begin():
            result = await session.execute(
                update(api_keys)
                .where(api_keys.c.key_id == key_id, api_keys.c.revoked_at.is_(None))
                .values(revoked_at=func.now())
            )
        self._cache.evict_key_id(key_id)
        return bool(result.rowcount)  # type: ignore[attr-defined]
