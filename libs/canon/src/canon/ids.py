"""Identifiers: deterministic UUIDv5 ids for things with a business key, UUIDv7 for the rest.

A re-sent POS file or ERP extract must produce the same event ids, so JetStream's de-duplication
window and consumers' inboxes drop the repeat. Ids are strings in canonical UUID form.
"""

from __future__ import annotations

import os
import time
import uuid

from canon.errors import ValidationError

NAMESPACE = uuid.UUID("6f1c2b7e-3d4a-5e8f-9a0b-7c6d5e4f3a21")
"""The retail-sync UUIDv5 namespace. Never change it: every deterministic id depends on it."""


def _encode_parts(parts: tuple[str, ...]) -> str:
    """Length-prefix each part so no two different part lists share an encoding.

    Joining with a separator would make ("a", "bc") and ("ab", "c") collide if a part could contain
    the separator; ``"1:a2:bc"`` and ``"2:ab1:c"`` cannot.
    """
    return "".join(f"{len(part)}:{part}" for part in parts)


def deterministic_id(*parts: str) -> str:
    """UUIDv5 (in :data:`NAMESPACE`) of the ordered ``parts``: same parts, same id."""
    if not parts:
        raise ValidationError("parts", "at least one part is needed")
    for index, part in enumerate(parts):
        if not isinstance(part, str):
            raise ValidationError("parts", f"part {index} must be a str, got {type(part).__name__}")
    return str(uuid.uuid5(NAMESPACE, _encode_parts(parts)))


def event_id_for(source_system: str, document_id: str, revision: str | int) -> str:
    """Event id for a revision of a source document (``revision`` 3 and "3" are the same)."""
    if isinstance(revision, bool) or not isinstance(revision, str | int):
        raise ValidationError("revision", f"must be a str or int, got {type(revision).__name__}")
    for field, value in (("source_system", source_system), ("document_id", document_id)):
        if not isinstance(value, str) or not value.strip():
            raise ValidationError(field, "must be a non-empty string")
    return deterministic_id("event", source_system, document_id, str(revision))


def new_id() -> str:
    """A fresh random UUIDv7 (RFC 9562): time-ordered to the millisecond, so indexes stay local."""
    unix_ms = time.time_ns() // 1_000_000
    random_bits = int.from_bytes(os.urandom(10), "big")  # 80 bits: 12 for rand_a, 62 for rand_b
    rand_a = random_bits >> 68
    rand_b = random_bits & ((1 << 62) - 1)
    value = (unix_ms & ((1 << 48) - 1)) << 80 | 0x7 << 76 | rand_a << 64 | 0b10 << 62 | rand_b
    return str(uuid.UUID(int=value))
