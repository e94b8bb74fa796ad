"""Header-keyed CSV/TSV reading with the 1-based line number each record starts on."""

from __future__ import annotations

import csv
import io

from connectors._parsing import ProblemLog

Row = tuple[int, dict[str, str]]


def read_table(text: str, log: ProblemLog, *, delimiter: str = ",") -> tuple[list[str], list[Row]]:
    """The header and every data record keyed by it; blank lines are skipped.

    A record with fewer fields than the header (a truncated row) or with extra non-empty fields
    is recorded as a problem and left out; a CSV syntax error stops the read at its line.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header: list[str] | None = None
    rows: list[Row] = []
    start = 1
    try:
        for record in reader:
            line, start = start, reader.line_num + 1
            if not any(field.strip() for field in record):
                continue
            if header is None:
                header = [name.strip() for name in record]
                continue
            if len(record) < len(header):
                log.add(line, None, f"expected {len(header)} fields, found {len(record)} (truncated row?)")
                continue
            if any(field.strip() for field in record[len(header) :]):
                log.add(line, None, f"expected {len(header)} fields, found {len(record)}")
                continue
            rows.append((line, dict(zip(header, record, strict=False))))
    except csv.Error as error:
        log.add(reader.line_num or start, None, f"malformed CSV: {error}")
    if header is None:
        raise log.fail(1, None, "no header row: the file is empty")
    return header, rows


def require_columns(header: list[str], needed: list[str], log: ProblemLog, *, line: int = 1) -> bool:
    """Record one problem per missing column; True when all are there."""
    missing = [name for name in needed if name not in header]
    for name in missing:
        log.add(line, name, "column missing from header")
    return not missing
