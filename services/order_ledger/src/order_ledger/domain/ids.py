"""`canon.ids.deterministic_id`, computed without building `uuid.UUID` objects.

The ledger derives three ids per posted transaction (entry id, the two events' ids); the uuid
module's object round-trip was ~10 us of each. Same algorithm, same output: UUIDv5 (SHA-1) in the
retail-sync namespace of the length-prefixed parts (tests/unit/test_ledger_ids.py checks equality
with canon's for arbitrary parts).
"""

from __future__ import annotations

from hashlib import sha1

from canon.ids import NAMESPACE

_NAMESPACE = NAMESPACE.bytes


def deterministic_id(*parts: str) -> str:
    name = "".join(f"{len(part)}:{part}" for part in parts)
    digest = bytearray(sha1(_NAMESPACE + name.encode("utf-8")).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    x = digest.hex()
    return f"{x[:8]}-{x[8:12]}-{x[12:16]}-{x[16:20]}-{x[20:]}"
