"""A settlement file as columns: the bulk-loading form of a SettlementReport.

A million-line settlement file is stored with one COPY; building a million SettlementLine objects
(and their Money values) first costs more than parsing the file. A SettlementTable holds the same
facts, one list per field (line i is index i of every list), so a loader zips the columns it needs
straight into COPY records. `SettlementTable.from_report` turns any parser's report into one, so
every format can be loaded the same way; the Adyen parser builds one directly (`adyen_table`).

Amounts are integer minor units: `gross_minor` in `currency`, `net_minor` and `fee_minor` in
`net_currency`. The provider's own fields (the evidence) are kept one of two ways: `raw_json`, a
JSON object per line, or, for a plain CSV file whose lines split on commas, the file's `raw_header`
and each line's text (`raw_line`), which is exact and several times smaller. `raw(i)` gives the
fields of line i as a dict either way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import msgspec
from canon.settlement import SettlementLine, SettlementReport

_encode = msgspec.json.Encoder().encode
_decode_raw = msgspec.json.Decoder(dict[str, str]).decode


@dataclass(frozen=True, slots=True, kw_only=True)
class SettlementTable:
    source_format: str
    report_ids: list[str]
    """The file's report (batch) ids, in order of first appearance."""
    line_number: list[int]
    report_id: list[str]
    record_type: list[str]
    raw_type: list[str]
    processor_reference: list[str]
    merchant_reference: list[str | None]
    booked_at: list[datetime]
    """Aware UTC instants."""
    currency: list[str]
    gross_minor: list[int | None]
    net_currency: list[str]
    net_minor: list[int | None]
    fee_minor: list[int]
    payout_id: list[str | None]
    exchange_rate: list[str | None]
    raw_json: list[str] | None = None
    raw_header: list[str] | None = None
    raw_line: list[str] | None = None
    fee_breakdown: dict[str, list[int | None]] = field(default_factory=dict)
    """Fee component -> its amount per line (None or 0 when the line has none)."""

    @property
    def report_id_text(self) -> str:
        return "+".join(self.report_ids)

    def __len__(self) -> int:
        return len(self.line_number)

    def raw(self, i: int) -> dict[str, str]:
        """The provider's fields of line i (by index, not line number)."""
        if self.raw_json is not None:
            return _decode_raw(self.raw_json[i])
        assert self.raw_header is not None
        assert self.raw_line is not None
        return dict(zip(self.raw_header, self.raw_line[i].split(","), strict=False))

    @classmethod
    def from_report(cls, report: SettlementReport) -> SettlementTable:
        lines = report.lines
        keys = list(dict.fromkeys(key for line in lines for key in line.fee_breakdown))
        return cls(
            source_format=report.source_format,
            report_ids=report.report_id.split("+") if report.report_id else [],
            line_number=[line.line_number for line in lines],
            report_id=[line.report_id for line in lines],
            record_type=[line.record_type for line in lines],
            raw_type=[line.raw_type for line in lines],
            processor_reference=[line.processor_reference for line in lines],
            merchant_reference=[line.merchant_reference for line in lines],
            booked_at=[line.booked_at for line in lines],
            currency=[_currency(line) for line in lines],
            gross_minor=[None if line.gross is None else line.gross.amount_minor for line in lines],
            net_currency=[(line.net or line.fee).currency for line in lines],
            net_minor=[None if line.net is None else line.net.amount_minor for line in lines],
            fee_minor=[line.fee.amount_minor for line in lines],
            payout_id=[line.payout_id for line in lines],
            exchange_rate=[line.exchange_rate for line in lines],
            raw_json=[_encode(line.raw).decode() for line in lines],
            fee_breakdown={key: [_minor_of(line, key) for line in lines] for key in keys},
        )


def _currency(line: SettlementLine) -> str:
    """The transaction's (gross) currency, else the settled one."""
    return line.gross.currency if line.gross is not None else (line.net or line.fee).currency


def _minor_of(line: SettlementLine, key: str) -> int | None:
    amount = line.fee_breakdown.get(key)
    return None if amount is None else amount.amount_minor
