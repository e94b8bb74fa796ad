"""Canonical master data (replicated from the ERP): product, network, finance, fiscal calendar."""

from canon.master.calendar import FiscalCalendar, FiscalPeriod, PeriodStatus
from canon.master.finance import (
    KNOWN_DIMENSIONS,
    AccountingDimension,
    AccountType,
    GlAccount,
    LegalEntity,
    NormalBalance,
)
from canon.master.network import Channel, ChannelKind, Node, NodeKind
from canon.master.product import Category, Item, ItemCost, ItemStatus, TaxCode
from canon.master.records import (
    MASTER_RECORD_TYPES,
    MasterRecord,
    convert_record,
    decode_record,
    record_type_of,
)

__all__ = [
    "KNOWN_DIMENSIONS",
    "MASTER_RECORD_TYPES",
    "AccountType",
    "AccountingDimension",
    "Category",
    "Channel",
    "ChannelKind",
    "FiscalCalendar",
    "FiscalPeriod",
    "GlAccount",
    "Item",
    "ItemCost",
    "ItemStatus",
    "LegalEntity",
    "MasterRecord",
    "Node",
    "NodeKind",
    "NormalBalance",
    "PeriodStatus",
    "TaxCode",
    "convert_record",
    "decode_record",
    "record_type_of",
]
