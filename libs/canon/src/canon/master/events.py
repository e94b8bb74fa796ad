"""``retail.master.<record_type>_upserted.v1``: one event per master record type.

The master_data service publishes one when a record is created or changed; ``version`` counts the
record's changes (per key) so a read model keeps the newest and ignores stale redeliveries.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from canon import _checks
from canon.errors import ValidationError
from canon.event_type import EventType, register
from canon.master.calendar import FiscalCalendar
from canon.master.finance import AccountingDimension, GlAccount, LegalEntity
from canon.master.network import Channel, Node
from canon.master.product import Category, Item, ItemCost, TaxCode
from canon.master.records import MASTER_RECORD_TYPES, MasterRecord, record_type_of


class MasterRecordUpserted(msgspec.Struct, frozen=True, kw_only=True):
    """Common fields of the upserted payloads; subclasses add ``record`` with its type."""

    record_type: str
    key: str
    version: int
    changed_at: datetime

    def __post_init__(self) -> None:
        record: MasterRecord = getattr(self, "record")  # noqa: B009 (declared by subclasses)
        if MASTER_RECORD_TYPES.get(self.record_type) is not type(record):
            expected = type(record).__name__
            raise ValidationError("record_type", f"{self.record_type!r} does not match {expected}")
        if self.key != record.key:
            raise ValidationError("key", f"{self.key!r} is not the record's key {record.key!r}")
        _checks.integer("version", self.version, minimum=1)
        _checks.utc_instant("changed_at", self.changed_at)


class ItemUpserted(MasterRecordUpserted, frozen=True, kw_only=True):
    record: Item


class CategoryUpserted(MasterRecordUpserted, frozen=True, kw_only=True):
    record: Category


class TaxCodeUpserted(MasterRecordUpserted, frozen=True, kw_only=True):
    record: TaxCode


class ItemCostUpserted(MasterRecordUpserted, frozen=True, kw_only=True):
    record: ItemCost


class NodeUpserted(MasterRecordUpserted, frozen=True, kw_only=True):
    record: Node


class ChannelUpserted(MasterRecordUpserted, frozen=True, kw_only=True):
    record: Channel


class GlAccountUpserted(MasterRecordUpserted, frozen=True, kw_only=True):
    record: GlAccount


class AccountingDimensionUpserted(MasterRecordUpserted, frozen=True, kw_only=True):
    record: AccountingDimension


class LegalEntityUpserted(MasterRecordUpserted, frozen=True, kw_only=True):
    record: LegalEntity


class FiscalCalendarUpserted(MasterRecordUpserted, frozen=True, kw_only=True):
    record: FiscalCalendar


_PAYLOADS: dict[str, type[MasterRecordUpserted]] = {
    "item": ItemUpserted,
    "category": CategoryUpserted,
    "tax_code": TaxCodeUpserted,
    "item_cost": ItemCostUpserted,
    "node": NodeUpserted,
    "channel": ChannelUpserted,
    "gl_account": GlAccountUpserted,
    "accounting_dimension": AccountingDimensionUpserted,
    "legal_entity": LegalEntityUpserted,
    "fiscal_calendar": FiscalCalendarUpserted,
}

MASTER_EVENT_TYPES: dict[str, EventType[Any]] = {
    record_type: register(
        EventType(
            context="master",
            name=f"{record_type}_upserted",
            version=1,
            payload=payload,
            description=f"A {record_type.replace('_', ' ')} was created or changed in the ERP master data.",
        )
    )
    for record_type, payload in _PAYLOADS.items()
}
"""record_type -> its upserted event type."""


def master_event_type(record_type: str) -> EventType[Any]:
    """The ``retail.master.<record_type>_upserted.v1`` event type; ValidationError if unknown."""
    record_type_of(record_type)
    return MASTER_EVENT_TYPES[record_type]


def upserted(record: MasterRecord, *, version: int, changed_at: datetime) -> MasterRecordUpserted:
    """The upserted payload for ``record`` (record_type and key filled in from it)."""
    for record_type, record_class in MASTER_RECORD_TYPES.items():
        if type(record) is record_class:
            payload_type: Any = _PAYLOADS[record_type]  # each subclass declares its own `record`
            return payload_type(
                record_type=record_type, key=record.key, version=version, changed_at=changed_at, record=record
            )
    raise ValidationError("record", f"not a master record: {type(record).__name__}")
