"""Recognise and parse a settlement or bank file, whole or not at all (pure: bytes in, canon out)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from canon.bank import BankStatement
from canon.settlement import SettlementReport
from connectors.bank import detect_and_parse as parse_bank
from connectors.bank import sniff_bank_format
from connectors.errors import ParseError, RowProblem
from connectors.settlement import detect_and_parse as parse_settlement
from connectors.settlement import sniff_settlement_format

from reconciliation.domain.files import FileKind


@dataclass(frozen=True)
class ParsedFile:
    kind: FileKind
    source_format: str
    report_ids: list[str]
    business_date: date
    line_count: int
    settlement: SettlementReport | None = None
    statements: list[BankStatement] | None = None

    @property
    def report_id(self) -> str:
        return "+".join(self.report_ids)


def read_file(content: bytes, filename: str | None) -> ParsedFile:
    """ParseError (with each bad line) when the file is not a supported, wholly valid file."""
    if sniff_settlement_format(content) is not None:
        report = parse_settlement(content, filename)
        return ParsedFile(
            kind="settlement",
            source_format=report.source_format,
            report_ids=[report.report_id],
            business_date=max(line.booked_at.date() for line in report.lines),
            line_count=len(report.lines),
            settlement=report,
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
