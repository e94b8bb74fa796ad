"""The event catalogue: :class:`EventType`, the registry, and the master-data events.

Other contexts' events (sales, settlement, bank, ...) are defined in their canon modules and
registered there; :func:`all_event_types` imports every canon module so none is missed.
"""

from canon.event_type import CATALOGUE, EventType, all_event_types, lookup, register
from canon.master.events import (
    MASTER_EVENT_TYPES,
    AccountingDimensionUpserted,
    CategoryUpserted,
    ChannelUpserted,
    FiscalCalendarUpserted,
    GlAccountUpserted,
    ItemCostUpserted,
    ItemUpserted,
    LegalEntityUpserted,
    MasterRecordUpserted,
    NodeUpserted,
    TaxCodeUpserted,
    master_event_type,
    upserted,
)
from canon.master.records import MASTER_RECORD_TYPES

__all__ = [
    "CATALOGUE",
    "MASTER_EVENT_TYPES",
    "MASTER_RECORD_TYPES",
    "AccountingDimensionUpserted",
    "CategoryUpserted",
    "ChannelUpserted",
    "EventType",
    "FiscalCalendarUpserted",
    "GlAccountUpserted",
    "ItemCostUpserted",
    "ItemUpserted",
    "LegalEntityUpserted",
    "MasterRecordUpserted",
    "NodeUpserted",
    "TaxCodeUpserted",
    "all_event_types",
    "lookup",
    "master_event_type",
    "register",
    "upserted",
]
