"""BAI2 physical records -> logical records (88 continuations joined), with their line numbers.

Also the small field rules shared by 03 summaries and 16 details (funds type, direction).

Each record ends with "/" (a 16 record's free text may run to the end of the line instead). An
88 record continues the record before it: for most records it adds fields; for a 16 record it
adds fields until the fixed ones are complete and then continues the text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from connectors._parsing import ProblemLog

_FUNDS_TYPE_FIELDS = {"V": 2, "S": 3}  # extra fields after the funds type code; D counts its own
_LOAN_CREDITS = {706, 708, *range(720, 729)}
_LOAN_DEBITS = {760}


@dataclass
class Record:
    code: str
    line: int
    fields: list[str]
    text: str = ""  # only 16 records: the free text, continuations included
    complete: bool = True  # False for a 16 record whose fixed fields run out (truncated)
    physical_records: int = 1
    continuations: list[str] = field(default_factory=list)


def read_records(text: str, log: ProblemLog) -> list[Record]:
    records: list[Record] = []
    for number, physical in enumerate(text.splitlines(), start=1):
        if not physical.strip():
            continue
        code, _, body = physical.partition(",")
        code = code.strip()
        if code == "88":
            if not records:
                log.add(number, None, "continuation record (88) before any record")
                continue
            records[-1].continuations.append(body)
            records[-1].physical_records += 1
            continue
        if len(code) != 2 or not (code.isascii() and code.isdigit()):
            log.add(number, None, f"not a BAI2 record: {physical[:20]!r}")
            continue
        records.append(Record(code=code, line=number, fields=[body]))
    for record in records:
        _join(record)
    return records


def _join(record: Record) -> None:
    body = record.fields[0]
    if record.code != "16":
        pieces = [_strip_end(body), *(_strip_end(more) for more in record.continuations)]
        record.fields = ",".join(pieces).split(",")
        return
    fields, rest = detail_fields(_strip_end(body))
    for more in record.continuations:
        if rest is None:
            fields, rest = detail_fields(",".join([*fields, _strip_end(more)]))
        else:
            rest = f"{rest} {_strip_end(more)}".strip()
    record.fields = fields
    record.text = (rest or "").strip()
    record.complete = rest is not None


def detail_fields(body: str) -> tuple[list[str], str | None]:
    """A 16 record's fixed fields and its text (None when the fixed fields are not all there yet).

    Fixed: type code, amount, funds type (+ its availability fields), bank ref, customer ref.
    """
    fields: list[str] = []
    rest: str | None = body

    def take() -> bool:
        nonlocal rest
        if rest is None:
            return False
        head, separator, tail = rest.partition(",")
        fields.append(head.strip())
        rest = tail if separator else None
        return True

    for _ in range(3):
        if not take():
            return fields, None
    funds_type = fields[2].upper()
    extra = _FUNDS_TYPE_FIELDS.get(funds_type, 0)
    if funds_type == "D":
        if not take():
            return fields, None
        extra = 2 * int(fields[-1]) if (fields[-1].isascii() and fields[-1].isdigit()) else 0
    for _ in range(extra + 2):
        if not take():
            return fields, None
    return fields, rest if rest is not None else ""


def _strip_end(body: str) -> str:
    """Drop the record's closing "/" (and trailing blanks after it)."""
    trimmed = body.rstrip()
    return trimmed[:-1] if trimmed.endswith("/") else trimmed


def direction_of(type_code: str) -> int:
    """+1 for a credit type code, -1 for a debit, 0 when BAI2 gives it no direction."""
    if not (type_code.isascii() and type_code.isdigit()):
        return 0
    code = int(type_code)
    if 100 <= code <= 399 or code in _LOAN_CREDITS:
        return 1
    if 400 <= code <= 699 or code in _LOAN_DEBITS:
        return -1
    return 0


def funds_type_extra(fields: list[str], index: int) -> int:
    """How many fields follow the funds type code at `index` (V: date+time, S: 3, D: count+pairs)."""
    funds_type = (fields[index].strip() if index < len(fields) else "").upper()
    if funds_type == "V":
        return 2
    if funds_type == "S":
        return 3
    if funds_type == "D":
        count = fields[index + 1].strip() if index + 1 < len(fields) else ""
        return 1 + 2 * int(count) if (count.isascii() and count.isdigit()) else 1
    return 0
