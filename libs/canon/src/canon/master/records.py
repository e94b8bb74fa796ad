"""The master record types by name, and decoding them with errors that name the field."""

from __future__ import annotations

import re
from typing import Any, TypeAlias

import msgspec

from canon.errors import ValidationError
from canon.master.calendar import FiscalCalendar
from canon.master.finance import AccountingDimension, GlAccount, LegalEntity
from canon.master.network import Channel, Node
from canon.master.product import Category, Item, ItemCost, TaxCode

MasterRecord: TypeAlias = (
    Item
    | Category
    | TaxCode
    | ItemCost
    | Node
    | Channel
    | GlAccount
    | AccountingDimension
    | LegalEntity
    | FiscalCalendar
)

MASTER_RECORD_TYPES: dict[str, type[MasterRecord]] = {
    "item": Item,
    "category": Category,
    "tax_code": TaxCode,
    "item_cost": ItemCost,
    "node": Node,
    "channel": Channel,
    "gl_account": GlAccount,
    "accounting_dimension": AccountingDimension,
    "legal_entity": LegalEntity,
    "fiscal_calendar": FiscalCalendar,
}
"""record_type name -> canonical struct (treat as read-only)."""

_AT_PATH = re.compile(r"^(?P<message>.*?)(?: - at `\$(?P<path>[^`]*)`)?$", re.DOTALL)
_MISSING_FIELD = re.compile(r"^Object missing required field `(?P<field>[^`]+)`$")
_OUR_ERROR = re.compile(r"^(?P<field>[A-Za-z_][\w.\[\]]*): (?P<reason>.*)$", re.DOTALL)


def record_type_of(record_type: str) -> type[MasterRecord]:
    try:
        return MASTER_RECORD_TYPES[record_type]
    except (KeyError, TypeError):
        known = ", ".join(MASTER_RECORD_TYPES)
        reason = f"unknown record type {record_type!r} (known: {known})"
        raise ValidationError("record_type", reason) from None


def decode_record(record_type: str, data: bytes | str | dict[str, Any]) -> MasterRecord:
    """JSON text, or an already-parsed JSON object, to the canonical type (strict typing)."""
    if isinstance(data, dict):
        return convert_record(record_type, data)
    struct_type = record_type_of(record_type)
    try:
        return msgspec.json.decode(data, type=struct_type, strict=True)
    except msgspec.ValidationError as error:
        raise validation_error_from(error) from None
    except msgspec.DecodeError as error:
        raise ValidationError("record", str(error)) from None


def convert_record(record_type: str, obj: dict[str, Any], *, strict: bool = True) -> MasterRecord:
    """A dict (parsed JSON, or built by a file connector) to the canonical type.

    `strict=False` accepts numbers, booleans and dates written as text, as CSV cells are.
    """
    struct_type = record_type_of(record_type)
    try:
        return msgspec.convert(obj, type=struct_type, strict=strict)
    except msgspec.ValidationError as error:
        raise validation_error_from(error) from None


def validation_error_from(error: msgspec.ValidationError) -> ValidationError:
    """msgspec's "reason - at `$.a.b`" as ValidationError(field="a.b", reason).

    Also merges the field a nested ``__post_init__`` named: "currency: unknown ... - at
    `$.unit_cost`" becomes field "unit_cost.currency".
    """
    match = _AT_PATH.match(str(error))
    message = match.group("message") if match else str(error)
    path = ((match.group("path") if match else None) or "").lstrip(".")
    inner_field: str | None = None
    missing = _MISSING_FIELD.match(message)
    ours = _OUR_ERROR.match(message)
    if missing:
        inner_field, message = missing.group("field"), "missing required field"
    elif ours:
        inner_field, message = ours.group("field"), ours.group("reason")
    field = ".".join(part for part in (path, inner_field) if part) or "record"
    return ValidationError(field, message)
