"""Turn an uploaded or dropped export file (CSV or JSON) into rows for BulkUpsert.

CSV: one record per row; nested fields use dotted headers (`unit_cost.amount_minor`), list fields hold
values separated by `|`. Fiscal calendars come one period per row (`legal_entity_id, fiscal_year,
period_id, start, end, status`) and are grouped into calendars. Positions are the file's line numbers,
so a rejected record is named by its line.
JSON: an array of records, or an object with a `records` array; positions are 1-based indexes.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import msgspec
from canon.errors import ValidationError
from canon.master_data import MASTER_RECORD_TYPES


def parse_import(record_type: str, filename: str, content: bytes) -> list[tuple[int, Any]]:
    if filename.lower().endswith(".json"):
        return _parse_json(content)
    if filename.lower().endswith(".csv"):
        return _parse_csv(record_type, content)
    raise ValidationError("filename", f"expected a .csv or .json file, got {filename!r}")


def _parse_json(content: bytes) -> list[tuple[int, Any]]:
    try:
        document = msgspec.json.decode(content)
    except msgspec.DecodeError as error:
        raise ValidationError("file", f"not valid JSON: {error}") from None
    records = document.get("records") if isinstance(document, dict) else document
    if not isinstance(records, list):
        raise ValidationError("file", "expected a JSON array of records or an object with 'records'")
    return list(enumerate(records, start=1))


def _parse_csv(record_type: str, content: bytes) -> list[tuple[int, Any]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationError("file", f"not UTF-8 text: {error}") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if not reader.fieldnames:
        raise ValidationError("file", "empty CSV: no header row")
    list_fields = _list_fields(record_type)
    rows = [(reader.line_num, _nest(row, list_fields)) for row in reader]
    if record_type == "fiscal_calendar":
        return _group_periods(rows)
    return rows


def _list_fields(record_type: str) -> set[str]:
    info = msgspec.inspect.type_info(MASTER_RECORD_TYPES[record_type])
    fields = getattr(info, "fields", ())
    return {f.encode_name for f in fields if isinstance(f.type, msgspec.inspect.ListType)}


def _nest(row: dict[str | Any, str | Any], list_fields: set[str]) -> dict[str, Any]:
    """Dotted headers become nested objects; empty cells are left out so defaults apply."""
    nested: dict[str, Any] = {}
    for header, value in row.items():
        if header is None or value is None or value == "":
            continue
        *parents, leaf = header.strip().split(".")
        target = nested
        for parent in parents:
            target = target.setdefault(parent, {})
        target[leaf] = value.split("|") if leaf in list_fields and not parents else value
    return nested


def _group_periods(rows: list[tuple[int, dict[str, Any]]]) -> list[tuple[int, Any]]:
    calendars: dict[tuple[str, str], tuple[int, dict[str, Any]]] = {}
    for line, row in rows:
        calendar_key = (row.get("legal_entity_id", ""), row.get("fiscal_year", ""))
        _, calendar = calendars.setdefault(
            calendar_key,
            (line, {"legal_entity_id": calendar_key[0], "fiscal_year": calendar_key[1], "periods": []}),
        )
        period = {k: v for k, v in row.items() if k not in ("legal_entity_id", "fiscal_year")}
        calendar["periods"].append(period)
    return list(calendars.values())
