"""The Adyen report read column by column with pyarrow: the fast path for large, plain files.

A settlement details report of a million lines is, in practice, plain: no quoted fields, no
escapes, one record per line, the same number of fields on every line, amounts written as
`123.45`. Such a file is split into columns by pyarrow's CSV reader (all fields as text, no
quoting), checked and converted with pyarrow.compute, and values that repeat (batches, types, time
stamps, zones, currencies) are dictionary-encoded, so each distinct one is checked and converted
once in Python. The result is a SettlementTable equal to what the general row reader
(`adyen._parse_rows`) makes of the same file.

Anything else (a quote, a backslash or a control character anywhere, a blank line, a line with
another number of fields, a field with white space at its edges, a blank required value, an
amount or a date that is not plain, a bad currency or zone) makes `fast_table` return None, and
the caller reads the file with the general reader, which reports every bad line with its number
and reason. So this path never accepts or rejects anything the general reader would not.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
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

T = TypeVar("T")

_VALUE_REQUIRED = [name for name in REQUIRED if name != "Psp Reference"]
# Text fields the general reader strips; here a value with white space at an edge is not plain.
_REPEATED_STRIPPED = ["Type", "Batch Number", "TimeZone", "Gross Currency", "Net Currency", "Exchange Rate"]
_PER_LINE_STRIPPED = ["Psp Reference", "Modification Reference", "Merchant Reference"]
_AMOUNTS = ["Gross Credit (GC)", "Gross Debit (GC)", "Net Credit (NC)", "Net Debit (NC)"]
_READ = [
    *_REPEATED_STRIPPED, *_PER_LINE_STRIPPED, *_AMOUNTS, "Creation Date", *(name for name, _ in FEE_COLUMNS),
]  # fmt: skip
# A plain amount per currency exponent (RE2: [0-9] is ASCII only), or a blank.
_PLAIN_AMOUNT = {
    places: rf"^(?:[0-9]+\.[0-9]{{{places}}})?$" if places else "^[0-9]*$" for places in range(5)
}
_SPACE = pa.scalar(32, pa.uint8())
_NO_INT = pa.scalar(None, pa.int64())
_NO_TEXT = pa.scalar(None, pa.string())


class _NotPlainError(Exception):
    """The file needs the general reader."""


def fast_table(text: str, *, first_line: int = 2) -> SettlementTable | None:
    """The report as a table when it is plain (see the module doc), else None.

    `text` may be a part of a report (its header, then some of its lines): `first_line` is then
    the line number its first line has in the whole file.
    """
    try:
        return _read(text, first_line)
    except _NotPlainError:
        return None


def _read(text: str, first_line: int) -> SettlementTable:
    if "\r" in text:
        text = text.replace("\r\n", "\n")  # a lone CR is left, and refused as a control character
    if '"' in text or "\\" in text:
        raise _NotPlainError  # quoted fields and escapes are the csv module's job
    header_end = text.find("\n")
    header = [name.strip() for name in text[: max(header_end, 0)].split(",")]
    if len(set(header)) != len(header) or any(name not in header for name in REQUIRED):
        raise _NotPlainError
    first_end = text.find("\n", header_end + 1)
    width = text.count(",", header_end + 1, len(text) if first_end < 0 else first_end) + 1
    if width < len(header):
        raise _NotPlainError
    table = _split(text, header, width)
    # The lines are split after pyarrow is done with the encoded text: the two are not held at once.
    lines = text.split("\n")
    del lines[0]
    if lines and not lines[-1]:
        lines.pop()  # the newline that ends the last line
    if not lines or "" in lines or table.num_rows != len(lines):
        raise _NotPlainError  # no lines, or a blank one (the general reader skips it: numbers shift)
    if max(map(len, lines)) > csv.field_size_limit():
        raise _NotPlainError
    return _Columns(table, header).settlement_table(header, lines, first_line)


def _split(text: str, header: list[str], width: int) -> Any:
    """pyarrow's table of the lines' fields as text (the columns read, and any past the header)."""
    try:
        encoded = text.encode()
    except UnicodeEncodeError:
        raise _NotPlainError from None  # a lone surrogate
    data = pa.py_buffer(encoded)
    octets = pa.Array.from_buffers(pa.uint8(), len(data), [None, data])
    if pc.sum(pc.less(octets, _SPACE)).as_py() != text.count("\n"):
        raise _NotPlainError  # a control character (tab, NUL, a lone CR ...) besides the newlines
    names = [str(j) for j in range(width)]
    wanted = [str(header.index(name)) for name in _READ if name in header] + names[len(header) :]
    try:
        return pa_csv.read_csv(
            pa.BufferReader(data.slice(encoded.index(b"\n") + 1)),
            read_options=pa_csv.ReadOptions(column_names=names),
            parse_options=pa_csv.ParseOptions(quote_char=False, ignore_empty_lines=False),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(wanted, pa.string()), include_columns=wanted
            ),
        )
    except pa.ArrowInvalid:
        raise _NotPlainError from None  # a line with another number of fields, or a blank or long one


@dataclass(frozen=True)
class _Codes:
    """A currency column: each line's ISO code as the general reader normalises it ('' stays '')."""

    per_line: list[str]
    distinct: list[str]
    index: Any  # each line's index into `distinct`


class _Columns:
    """The pyarrow table's columns checked and converted into a SettlementTable's lists."""

    def __init__(self, table: Any, header: list[str]) -> None:
        self.count = table.num_rows
        self.table = table
        self.index = {name: j for j, name in enumerate(header)}
        self.distinct: dict[str, tuple[list[str], Any]] = {}
        for name in table.column_names:  # the columns read, and those past the header
            if int(name) >= len(header) and pc.max(pc.binary_length(table.column(name))).as_py():
                raise _NotPlainError  # extra non-empty fields: the general reader reports them

    def column(self, name: str) -> Any:
        """The named column (text, in chunks); blanks when the header has no such column."""
        j = self.index.get(name)
        if j is None:
            return pa.chunked_array([pa.repeat(pa.scalar("", pa.string()), self.count)])
        return self.table.column(str(j))

    def values(self, name: str) -> tuple[list[str], Any]:
        """(distinct values, each line's index into them): a column whose values repeat."""
        if name not in self.distinct:
            encoded = pc.dictionary_encode(self.column(name).combine_chunks())  # one dictionary
            self.distinct[name] = (encoded.dictionary.to_pylist(), encoded.indices)
        return self.distinct[name]

    def settlement_table(self, header: list[str], lines: list[str], first_line: int) -> SettlementTable:
        for name in _VALUE_REQUIRED:
            if "" in self.values(name)[0]:
                raise _NotPlainError
        for name in _REPEATED_STRIPPED:
            if any(value != value.strip() for value in self.values(name)[0]):
                raise _NotPlainError
        for name in _PER_LINE_STRIPPED:
            _no_edge_blanks(self.column(name))
        batch = self.expand("Batch Number")
        gross_currency = self.currencies("Gross Currency")
        net_currency = self.currencies("Net Currency")
        gross = _signed(
            self.minor_units("Gross Credit (GC)", gross_currency),
            self.minor_units("Gross Debit (GC)", gross_currency),
        )
        net = _signed(
            self.minor_units("Net Credit (NC)", net_currency),
            self.minor_units("Net Debit (NC)", net_currency),
        )
        parts = {key: self.minor_units(name, net_currency) for name, key in FEE_COLUMNS if name in self.index}
        breakdown = {key: part for key, part in parts.items() if pc.any(pc.not_equal(part, 0)).as_py()}
        psp = self.column("Psp Reference").to_pylist()
        if "" in psp:
            modification = self.column("Modification Reference").to_pylist()
            psp = [p or m or f"batch {b}" for p, m, b in zip(psp, modification, batch, strict=True)]
        currency = gross_currency.per_line
        if "" in gross_currency.distinct:
            currency = [g or n for g, n in zip(currency, net_currency.per_line, strict=True)]
        merchant_reference = self.column("Merchant Reference")
        return SettlementTable(
            source_format="adyen",
            report_ids=list(dict.fromkeys(batch)),
            line_number=list(range(first_line, first_line + self.count)),
            report_id=batch,
            record_type=self.expand("Type", lambda value: RECORD_TYPES.get(value, "other")),
            raw_type=self.expand("Type"),
            processor_reference=psp,
            merchant_reference=pc.if_else(
                pc.equal(merchant_reference, ""), _NO_TEXT, merchant_reference
            ).to_pylist(),
            booked_at=self.booked_at(),
            currency=currency,
            gross_minor=gross.to_pylist(),
            net_currency=net_currency.per_line,
            net_minor=net.to_pylist(),
            fee_minor=self.fees(list(breakdown.values()), net).to_pylist(),
            payout_id=list(batch),
            exchange_rate=self.expand("Exchange Rate", lambda value: value or None),
            raw_header=header,
            raw_line=lines,
            fee_breakdown={key: part.to_pylist() for key, part in breakdown.items()},
        )

    def expand(self, name: str, convert: Callable[[str], Any] = str) -> list[Any]:
        """Each line's value of a repeating column, converted once per distinct value and shared."""
        values, indices = self.values(name)
        return _expand([convert(value) for value in values], indices, self.count)

    def currencies(self, name: str) -> _Codes:
        values, indices = self.values(name)
        try:
            codes = [iso4217.normalize(value) if value else "" for value in values]
        except ValidationError:
            raise _NotPlainError from None
        return _Codes(_expand(codes, indices, self.count), codes, indices)

    def minor_units(self, name: str, currencies: _Codes) -> Any:
        """Exact minor units (null for a blank); _NotPlainError if any amount is not plainly valid."""
        values = self.column(name)
        filled = pc.not_equal(values, "")
        if not pc.any(filled).as_py():
            return pa.nulls(self.count, pa.int64())
        places = {iso4217.MINOR_UNIT_EXPONENTS[code] for code in currencies.distinct if code}
        if len(places) == 1 and pc.all(pc.match_substring_regex(values, _PLAIN_AMOUNT[places.pop()])).as_py():
            if "" in currencies.distinct:
                blank = pc.equal(currencies.index, currencies.distinct.index(""))
                if pc.any(pc.and_(filled, blank)).as_py():
                    raise _NotPlainError  # an amount without a currency
            try:
                return pc.cast(
                    pc.if_else(filled, pc.replace_substring(values, ".", ""), _NO_TEXT), pa.int64()
                )
            except pa.ArrowInvalid:
                raise _NotPlainError from None  # more digits than an int64 holds
        # Mixed exponents, signs, fewer decimals ...: each amount as the general reader reads it.
        exact = [
            _exact(value, code) for value, code in zip(values.to_pylist(), currencies.per_line, strict=True)
        ]
        try:
            return pa.array(exact, pa.int64())
        except (OverflowError, pa.ArrowInvalid):
            raise _NotPlainError from None

    def fees(self, breakdown: list[Any], net: Any) -> Any:
        """The fee components summed; a Fee row without a non-zero component is itself the charge (-net)."""
        fee = pa.repeat(pa.scalar(0, pa.int64()), self.count)
        for part in breakdown:
            fee = pc.add_checked(fee, pc.fill_null(part, 0))
        types, indices = self.values("Type")
        kinds = [RECORD_TYPES.get(value) == "fee" for value in types]
        if not any(kinds):
            return fee
        charge = pc.and_(pc.take(pa.array(kinds), indices), pc.is_valid(net))
        for part in breakdown:  # components that cancel out are still a breakdown
            charge = pc.and_(charge, pc.equal(pc.fill_null(part, 0), 0))
        return pc.if_else(charge, pc.negate_checked(net), fee)

    def booked_at(self) -> list[datetime]:
        """Each distinct (wall clock, zone) converted once."""
        wall_clocks, clock_of = self.values("Creation Date")
        zones, zone_of = self.values("TimeZone")
        pair_of = pc.add(
            pc.multiply(pc.cast(zone_of, pa.int64()), len(wall_clocks)), pc.cast(clock_of, pa.int64())
        )
        pairs = pc.dictionary_encode(pair_of)
        instants = []
        for pair in pairs.dictionary.to_pylist():
            zone, wall_clock = divmod(pair, len(wall_clocks))
            try:
                instants.append(booked_at_utc(wall_clocks[wall_clock], zones[zone]))
            except FieldProblemError:
                raise _NotPlainError from None
        return _expand(instants, pairs.indices, self.count)


def _expand(values: list[T], indices: Any, count: int) -> list[T]:
    """values[i] for each line's index i (the objects shared, not copied)."""
    if len(values) == 1:
        return [values[0]] * count
    return list(map(values.__getitem__, indices.to_pylist()))


def _no_edge_blanks(values: Any) -> None:
    """_NotPlainError if a value has white space (str.isspace, as str.strip has it) at an edge."""
    for edge in (pc.utf8_slice_codeunits(values, 0, 1), pc.utf8_slice_codeunits(values, -1)):
        if any(char.isspace() for char in pc.unique(edge).to_pylist()):
            raise _NotPlainError


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


def _signed(credit: Any, debit: Any) -> Any:
    """Credit minus debit per line, null where both are blank."""
    if debit.null_count == len(debit):
        return credit
    difference = pc.subtract_checked(pc.fill_null(credit, 0), pc.fill_null(debit, 0))
    return pc.if_else(pc.and_(pc.is_null(credit), pc.is_null(debit)), _NO_INT, difference)
