"""HTTP request bodies of the master data API."""

from __future__ import annotations

from typing import Any

import msgspec


class BulkUpsertRequest(msgspec.Struct, frozen=True, kw_only=True):
    records: list[Any]
    """Records of one type, as canonical JSON objects (see contracts/events/master for their schema)."""
