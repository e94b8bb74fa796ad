"""Content identity for uploaded files: a re-sent file is recognised by its bytes, not its name."""

from __future__ import annotations

import hashlib


def content_sha256(content: bytes) -> str:
    """Lower-case hex SHA-256 of the exact bytes received."""
    return hashlib.sha256(content).hexdigest()
