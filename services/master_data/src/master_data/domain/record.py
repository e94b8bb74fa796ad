"""A versioned master-data record and the rule deciding what an upsert does to it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import msgspec

UpsertStatus = Literal["created", "updated", "unchanged"]


def content_hash(record: msgspec.Struct) -> str:
    """Hash of the canonical JSON form; equal content gives an equal hash whatever the key order."""
    return hashlib.sha256(msgspec.json.encode(record, order="sorted")).hexdigest()


@dataclass(frozen=True, slots=True)
class StoredRecord:
    """The current version of one record, as the replica holds it."""

    record_type: str
    key: str
    version: int
    record: Any  # the canonical msgspec struct of `record_type`
    content_hash: str
    changed_at: datetime


@dataclass(frozen=True, slots=True)
class UpsertDecision:
    status: UpsertStatus
    stored: StoredRecord


def decide_upsert(
    current: StoredRecord | None, record_type: str, record: Any, now: datetime
) -> UpsertDecision:
    """Versions only move on a real change: the ERP re-sending the same record is not a new version."""
    digest = content_hash(record)
    if current is not None and current.content_hash == digest:
        return UpsertDecision("unchanged", current)
    version = 1 if current is None else current.version + 1
    stored = StoredRecord(record_type, record.key, version, record, digest, now)
    return UpsertDecision("created" if current is None else "updated", stored)
