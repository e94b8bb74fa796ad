"""Recognise and parse a settlement or bank file, whole or not at all (bytes in, canon out)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from canon.bank import BankStatement
from connectors.bank import detect_and_parse as parse_bank
from connectors.bank import sniff_bank_format
from connectors.errors import ParseError, RowProblem
from connectors.settlement import adyen_table, sniff_settlement_format
from connectors.settlement import detect_and_parse as parse_settlement
from connectors.settlement.table import SettlementTable

from reconciliation.domain.files import FileKind


@dataclass(frozen=True)
class ParsedFile:
    kind: FileKind
    source_format: str
    report_ids: list[str]
    business_date: date
    line_count: int
    settlement: SettlementTable | None = None
    statements: list[BankStatement] | None = None

    @property
    def report_id(self) -> str:
        return "+".join(self.report_ids)


def read_file(content: bytes, filename: str | None) -> ParsedFile:
    """ParseError (with each bad line) when the file is not a supported, wholly valid file."""
    settlement_format = sniff_settlement_format(content)
    if settlement_format is not None:
        # Adyen files run to millions of lines: read straight into columns (same checks, same errors).
        table = (
            adyen_table(content, filename=filename)
            if settlement_format == "adyen"
            else SettlementTable.from_report(parse_settlement(content, filename))
        )
        return ParsedFile(
            kind="settlement",
            source_format=table.source_format,
            report_ids=[table.report_id_text],
            business_date=max(table.booked_at).date(),
            line_count=len(table),
            settlement=table,
        )
    if sniff_bank_format(content, filename) is not None:
        statements = parse_bank(content, filename)
        lines = [line for statement in statements for line in statement.lines]
        if not lines:
            raise ParseError([RowProblem(line=1, field=None, reason="no booked entries")], filename=filename)
        return ParsedFile(
            kind="bank",
            source_format=statements[0].source_format,
            report_ids=[statement.statement_id for statement in statements],
            business_date=max(line.booked_on for line in lines),
            line_count=len(lines),
            statements=statements,
        )
    problem = RowProblem(line=1, field=None, reason="not a recognised settlement or bank statement file")
    raise ParseError([problem], filename=filename)
