"""The Adyen report read column by column: the fast path for large, plain files.

A settlement details report of a million lines is, in practice, plain: no quoted fields, no
escapes, one record per line, the same number of fields on every line, amounts written as
`123.45`. Such a file is read here a column at a time with str/list/regex operations that run in
C (split, slice, join, one regex per amount column), and values that repeat (time stamps, zones,
currencies) are converted once each. The result is a SettlementTable equal to what the general
row reader (`adyen._parse_rows`) makes of the same file.

Anything else (a quote, a backslash or a control character anywhere, a field with blanks at its
edges, a line with another number of fields, a blank required value, an amount or a date that is
not plain, a bad currency or zone) makes `fast_table` return None, and the caller reads the file
with the general reader, which reports every bad line with its number and reason. So this path
never accepts or rejects anything the general reader would not.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from datetime import datetime
from itertools import repeat

from canon import currency as iso4217
from canon.errors import ValidationError

from connectors._parsing import parse_decimal, to_money
from connectors.settlement._adyen_layout import (
    FEE_COLUMNS,
    RECORD_TYPES,
    REQUIRED,
    FieldProblemError,
    booked_at_utc,
)
from connectors.settlement.table import SettlementTable

# Control characters (tab, NUL, lone CR ...): deleted by this table.
_CONTROL = str.maketrans("", "", "".join(map(chr, range(32))))
# A field with white space at an edge (the general reader strips it; here nothing is stripped).
_EDGE_BLANK = re.compile(r"(?:\A|\n)\s|\s(?:\n|\Z)")
_VALUE_REQUIRED = [name for name in REQUIRED if name != "Psp Reference"]
# The text fields read (amounts and times are checked by their own patterns).
_STRIPPED = [
    "Type", "Batch Number", "TimeZone", "Gross Currency", "Net Currency", "Psp Reference",
    "Modification Reference", "Merchant Reference", "Exchange Rate",
]  # fmt: skip


class _NotPlainError(Exception):
    """The file needs the general reader."""


def _plain_amounts(places: int) -> re.Pattern[str]:
    one = rf"[0-9]+\.[0-9]{{{places}}}" if places else "[0-9]+"
    return re.compile(rf"(?:{one})?(?:\n(?:{one})?)*")


_PLAIN_AMOUNTS = {places: _plain_amounts(places) for places in range(5)}


def fast_table(text: str, *, first_line: int = 2) -> SettlementTable | None:
    """The report as a table when it is plain (see the module doc), else None.

    `text` may be a part of a report (its header, then some of its lines): `first_line` is then
    the line number its first line has in the whole file.
    """
    try:
        return _read(text, first_line)
    except _NotPlainError:
        return None


_CHUNK = 32_768  # lines per slice: the slice's fields stay in the CPU's caches


@dataclass
class _Columns:
    """The table's columns, filled a slice of lines at a time."""

    fee_keys: list[tuple[str, str]]
    report_id: list[str] = field(default_factory=list)
    record_type: list[str] = field(default_factory=list)
    raw_type: list[str] = field(default_factory=list)
    reference: list[str] = field(default_factory=list)
    merchant_reference: list[str | None] = field(default_factory=list)
    booked_at: list[datetime] = field(default_factory=list)
    currency: list[str] = field(default_factory=list)
    gross: list[int | None] = field(default_factory=list)
    net_currency: list[str] = field(default_factory=list)
    net: list[int | None] = field(default_factory=list)
    fee: list[int] = field(default_factory=list)
    exchange_rate: list[str | None] = field(default_factory=list)
    fee_breakdown: dict[str, list[int | None]] = field(default_factory=dict)
    # Values that repeat (batch, type, time, zone, currency) are converted once and shared.
    shared: dict[str, str] = field(default_factory=dict)
    instants: dict[str, dict[str, datetime]] = field(default_factory=dict)  # zone -> wall clock -> UTC
    currencies: dict[str, str] = field(default_factory=lambda: {"": ""})


def _read(text: str, first_line: int) -> SettlementTable:
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    if '"' in text or "\\" in text:
        raise _NotPlainError  # quoted fields and escapes are the csv module's job
    header_line, _, body = text.partition("\n")
    header = [name.strip() for name in header_line.split(",")]
    if body.endswith("\n"):
        body = body[:-1]
    if not body or len(set(header)) != len(header) or any(name not in header for name in REQUIRED):
        raise _NotPlainError
    lines = body.split("\n")
    del body
    count = len(lines)
    width = lines[0].count(",") + 1
    if width < len(header) or list(map(str.count, lines, repeat(","))).count(width - 1) != count:
        raise _NotPlainError  # a line with another number of fields
    if max(map(len, lines)) > csv.field_size_limit():
        raise _NotPlainError
    out = _Columns(fee_keys=[(name, key) for name, key in FEE_COLUMNS if name in header])
    out.fee_breakdown = {key: [] for _, key in out.fee_keys}
    index = {name: j for j, name in enumerate(header)}
    for start in range(0, count, _CHUNK):
        _read_slice(lines[start : start + _CHUNK], index, width, out)
    return SettlementTable(
        source_format="adyen",
        report_ids=list(dict.fromkeys(out.report_id)),
        line_number=list(range(first_line, first_line + count)),
        report_id=out.report_id,
        record_type=out.record_type,
        raw_type=out.raw_type,
        processor_reference=out.reference,
        merchant_reference=out.merchant_reference,
        booked_at=out.booked_at,
        currency=out.currency,
        gross_minor=out.gross,
        net_currency=out.net_currency,
        net_minor=out.net,
        fee_minor=out.fee,
        payout_id=list(out.report_id),
        exchange_rate=out.exchange_rate,
        raw_header=header,
        raw_line=lines,
        fee_breakdown={key: amounts for key, amounts in out.fee_breakdown.items() if any(amounts)},
    )


def _read_slice(lines: list[str], index: dict[str, int], width: int, out: _Columns) -> None:
    """Append the columns of some lines (each with `width` fields) to `out`."""
    count = len(lines)
    joined = ",".join(lines)
    if not joined.isprintable() and len(joined.translate(_CONTROL)) != len(joined):
        raise _NotPlainError  # a control character (tab, NUL, a lone CR ...)
    cells = joined.split(",")
    del joined
    blank = [""] * count
    if any(any(cells[j::width]) for j in range(len(index), width)):
        raise _NotPlainError  # extra non-empty fields: the general reader reports them

    sliced: dict[str, list[str]] = {}

    def column(name: str) -> list[str]:
        if name not in sliced:
            j = index.get(name)
            sliced[name] = blank if j is None else cells[j::width]
        return sliced[name]

    for name in _VALUE_REQUIRED:
        if "" in column(name):
            raise _NotPlainError
    for name in _STRIPPED:
        if name in index:
            _no_edge_blanks(column(name))
    shared = out.shared.setdefault
    batch = list(map(shared, column("Batch Number"), column("Batch Number")))
    raw_type = list(map(shared, column("Type"), column("Type")))
    record_type = list(map(RECORD_TYPES.get, raw_type, repeat("other")))
    gross_currency = _currencies(column("Gross Currency"), out.currencies)
    net_currency = _currencies(column("Net Currency"), out.currencies)
    gross = _signed(
        _minor_units(column("Gross Credit (GC)"), gross_currency),
        _minor_units(column("Gross Debit (GC)"), gross_currency),
    )
    net = _signed(
        _minor_units(column("Net Credit (NC)"), net_currency),
        _minor_units(column("Net Debit (NC)"), net_currency),
    )
    parts = [_minor_units(column(name), net_currency) for name, _ in out.fee_keys]
    fee = _fees([part for part in parts if any(part)], count)
    if "fee" in record_type:  # a Fee row without a breakdown is itself the charge
        for i, kind in enumerate(record_type):
            if kind == "fee" and net[i] is not None and not any(part[i] for part in parts):
                fee[i] = -(net[i] or 0)
    psp, modification = column("Psp Reference"), column("Modification Reference")
    if "" in psp:
        psp = [p or m or f"batch {b}" for p, m, b in zip(psp, modification, batch, strict=True)]
    out.report_id += batch
    out.record_type += record_type
    out.raw_type += raw_type
    out.reference += psp
    out.merchant_reference += _optional(column("Merchant Reference"))
    out.booked_at += _booked_at(column("Creation Date"), column("TimeZone"), out.instants)
    if "" in gross_currency:
        gross_currency = [g or n for g, n in zip(gross_currency, net_currency, strict=True)]
    out.currency += gross_currency
    out.gross += gross
    out.net_currency += net_currency
    out.net += net
    out.fee += fee
    out.exchange_rate += _optional(list(map(shared, column("Exchange Rate"), column("Exchange Rate"))))
    for (_, key), part in zip(out.fee_keys, parts, strict=True):
        out.fee_breakdown[key] += part


def _no_edge_blanks(values: list[str]) -> None:
    """_NotPlainError if a value has white space at an edge (the general reader would strip it)."""
    joined = "\n".join(values)
    if joined.isascii():
        if " " in joined and (
            joined.startswith(" ") or joined.endswith(" ") or " \n" in joined or "\n " in joined
        ):
            raise _NotPlainError
    elif _EDGE_BLANK.search(joined):
        raise _NotPlainError


def _booked_at(
    created: list[str], zones: list[str], instants: dict[str, dict[str, datetime]]
) -> list[datetime]:
    """Each distinct (wall clock, zone) converted once."""
    if len(distinct := set(zones)) > 1:
        return [
            _booked_at([wall_clock], [zone], instants)[0]
            for wall_clock, zone in zip(created, zones, strict=True)
        ]
    zone = distinct.pop()
    known = instants.setdefault(zone, {})
    for wall_clock in set(created).difference(known):
        try:
            known[wall_clock] = booked_at_utc(wall_clock, zone)
        except FieldProblemError:
            raise _NotPlainError from None
    return list(map(known.__getitem__, created))


def _currencies(codes: list[str], normal: dict[str, str]) -> list[str]:
    """ISO codes as the general reader normalises them ('' stays ''), shared."""
    distinct = set(codes)
    for code in distinct.difference(normal):
        try:
            normal[code] = iso4217.normalize(code)
        except ValidationError:
            raise _NotPlainError from None
    if all(normal[code] == code for code in distinct):
        return codes
    return list(map(normal.__getitem__, codes))


def _minor_units(values: list[str], currencies: list[str]) -> list[int | None]:
    """Exact minor units (None for a blank); _NotPlainError if any amount is not plainly valid."""
    if not any(values):
        return [None] * len(values)
    places = {iso4217.MINOR_UNIT_EXPONENTS[code] for code in set(currencies) if code}
    if len(places) == 1:
        joined = "\n".join(values)
        if _PLAIN_AMOUNTS[places.pop()].fullmatch(joined):
            if "" not in currencies:
                if "" not in values:
                    return list(map(int, joined.replace(".", "").split("\n")))
                return [int(value.replace(".", "")) if value else None for value in values]
            if all(currency for value, currency in zip(values, currencies, strict=True) if value):
                return [int(value.replace(".", "")) if value else None for value in values]
            raise _NotPlainError  # an amount without a currency
    return [_exact(value, currency) for value, currency in zip(values, currencies, strict=True)]


def _exact(value: str, currency: str) -> int | None:
    """One amount the way the general reader reads it (signs, fewer decimals ...)."""
    if not value:
        return None
    if not currency:
        raise _NotPlainError
    try:
        return to_money(parse_decimal(value), currency).amount_minor
    except ValueError:
        raise _NotPlainError from None


def _signed(credit: list[int | None], debit: list[int | None]) -> list[int | None]:
    """Credit minus debit per line, None where both are blank."""
    if not any(value is not None for value in debit):
        return credit
    return [
        None if c is None and d is None else (c or 0) - (d or 0) for c, d in zip(credit, debit, strict=True)
    ]


def _fees(parts: list[list[int | None]], count: int) -> list[int]:
    if not parts:
        return [0] * count
    filled = [part if None not in part else [value or 0 for value in part] for part in parts]
    if len(filled) == 1:
        return list(filled[0])  # type: ignore[arg-type]
    return list(map(sum, zip(*filled, strict=True)))


def _optional(values: list[str]) -> list[str | None]:
    if "" not in values:
        return list(values)
    return [value or None for value in values]
