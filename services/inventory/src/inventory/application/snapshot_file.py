"""Read an external balance snapshot file (CSV) into snapshot lines, naming bad lines by line number.

Columns: ``sku``, ``node``, ``counted_qty`` and optionally ``as_of`` (RFC 3339 with an offset; else
the file's instant applies to every line). Positions are the file's line numbers (the header is 1).
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from canon.errors import ValidationError
from canon.inventory import SnapshotSource

from inventory.domain.drift import Snapshot

REQUIRED_COLUMNS = ("sku", "node", "counted_qty")
SnapshotLine = tuple[int, Snapshot | ValidationError]


def parse_snapshot_csv(content: bytes, source: SnapshotSource, as_of: datetime | None) -> list[SnapshotLine]:
    """ValidationError for the file as a whole (not UTF-8, no header, a column missing)."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationError("file", f"not UTF-8 text: {error}") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [name.strip() for name in reader.fieldnames or []]
    if not header:
        raise ValidationError("file", "empty CSV: no header row")
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise ValidationError("file", f"missing column(s): {', '.join(missing)}")
    if as_of is None and "as_of" not in header:
        raise ValidationError("as_of", "give the snapshot instant, or an as_of column")
    lines: list[SnapshotLine] = []
    for row in reader:
        cells = {str(key).strip(): (value or "").strip() for key, value in row.items() if key is not None}
        lines.append((reader.line_num, _line(cells, source, as_of)))
    return lines


def _line(
    cells: dict[str, str], source: SnapshotSource, as_of: datetime | None
) -> Snapshot | ValidationError:
    try:
        counted = cells.get("counted_qty", "")
        if not counted.lstrip("-").isdigit():
            raise ValidationError("counted_qty", f"must be a whole number, got {counted!r}")
        return Snapshot(
            sku=cells.get("sku", ""),
            node=cells.get("node", ""),
            counted_qty=int(counted),
            as_of=_instant(cells["as_of"]) if cells.get("as_of") else _required(as_of),
            source=source,
        )
    except ValidationError as error:
        return error


def _instant(text: str) -> datetime:
    try:
        instant = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValidationError("as_of", f"not an RFC 3339 instant: {text!r}") from None
    if instant.tzinfo is None:
        raise ValidationError("as_of", f"instant without a UTC offset: {text!r}")
    return instant.astimezone(UTC)


def _required(as_of: datetime | None) -> datetime:
    if as_of is None:
        raise ValidationError("as_of", "no instant on this line and none for the file")
    return as_of
