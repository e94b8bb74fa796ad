"""BAI2 cash management file -> one BankStatement per account section (03 ... 49).

A focused parser rather than the `bai2` PyPI package: that package rejects valid files (an 03
summary whose amount continues on an 88 record, as in the BAI spec's own worked example) and
keeps no line numbers. Amounts are whole minor units (the currency's implied decimals); a 16
detail amount is unsigned and its type code says credit (100-399) or debit (400-699). Control
totals and record counts of 49/98/99 are checked, so a truncated or altered file is refused.
Detail lines are booked on the group's as-of date; funds type V gives the value date. Ledger
balances are 010 (opening) and 015 (closing); available balances are not substituted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from canon import currency as iso4217
from canon.bank import BankStatement, BankStatementLine
from canon.money import Money

from connectors._parsing import ProblemLog, decode_text
from connectors.bank._bai2_records import Record, direction_of, funds_type_extra, read_records

_AMOUNT = re.compile(r"[+-]?\d+")


@dataclass
class _Totals:
    amount: int = 0
    records: int = 0
    children: int = 0


@dataclass
class _State:
    file_key: str = ""
    group_date: date | None = None
    group_currency: str = "USD"
    group_index: int = 0
    account_index: int = 0
    account: BankStatement | None = None
    statements: list[BankStatement] = field(default_factory=list)
    levels: dict[str, _Totals] = field(default_factory=dict)


def parse_bai2(content: bytes, *, filename: str | None = None) -> list[BankStatement]:
    """Parse a whole BAI2 file; ParseError lists every bad record with its line."""
    log = ProblemLog(filename)
    records = read_records(decode_text(content, log, fallback="latin-1"), log)
    state = _State()
    for record in records:
        for level in state.levels.values():
            level.records += record.physical_records
        _take(record, state, log)
    if records and records[-1].code != "99":
        log.add(records[-1].line, None, "file ends without a 99 file trailer (truncated?)")
    log.raise_if_any()
    if not state.statements:
        raise log.fail(1, None, "no account (03) records")
    return state.statements


def _take(record: Record, state: _State, log: ProblemLog) -> None:
    fields = record.fields
    if record.code == "01":
        file_date = _date(fields[2] if len(fields) > 2 else "", record, "file creation date", log)
        state.file_key = f"{_field(fields, 0)}:{_field(fields, 4)}:{file_date or ''}"
        state.levels = {"file": _Totals(records=record.physical_records)}
    elif record.code == "02":
        state.group_date = _date(_field(fields, 3), record, "as-of date", log)
        state.group_currency = _field(fields, 5) or "USD"
        state.group_index += 1
        state.account_index = 0
        state.levels["group"] = _Totals(records=record.physical_records)
    elif record.code == "03":
        _open_account(record, state, log)
    elif record.code == "16":
        _detail(record, state, log)
    elif record.code in ("49", "98", "99"):
        _close(record, state, log)
    else:
        log.add(record.line, None, f"unknown record type {record.code}")


def _open_account(record: Record, state: _State, log: ProblemLog) -> None:
    fields = record.fields
    currency = _field(fields, 1) or state.group_currency
    if not iso4217.is_known(currency):
        log.add(record.line, "currency", f"unknown currency {currency!r}")
        currency = "USD"
    state.account_index += 1
    balances: dict[str, Money] = {}
    totals = _Totals(records=record.physical_records)
    index = 2
    while index < len(fields) and fields[index]:
        code, amount_text = fields[index], _field(fields, index + 1)
        amount = _amount(amount_text, record, f"summary {code} amount", log) if amount_text else 0
        totals.amount += amount or 0
        if code in ("010", "015") and amount is not None and amount_text:
            balances[code] = Money(amount_minor=amount, currency=currency)
        index += 4 + funds_type_extra(fields, index + 3)
    state.levels["account"] = totals
    state.account = BankStatement(
        source_format="bai2",
        statement_id=f"{state.file_key}:{state.group_index}.{state.account_index}",
        account=_field(fields, 0) or "?",
        currency=currency,
        opening_balance=balances.get("010"),
        closing_balance=balances.get("015"),
        lines=[],
    )


def _detail(record: Record, state: _State, log: ProblemLog) -> None:
    fields, statement = record.fields, state.account
    if statement is None or state.group_date is None:
        log.add(record.line, None, "16 detail record outside an account (03) section")
        return
    if not record.complete:
        log.add(record.line, None, "16 detail record ends before its reference fields (truncated?)")
    amount = _amount(_field(fields, 1), record, "amount", log)
    if amount is not None and "account" in state.levels:
        state.levels["account"].amount += amount
    type_code = _field(fields, 0)
    direction = direction_of(type_code)
    if direction == 0:
        log.add(record.line, "type code", f"{type_code!r} is not a credit (100-399) or debit (400-699) code")
    value_date = None
    if _field(fields, 2).upper() == "V":
        value_date = _date(_field(fields, 3), record, "value date", log)
    if amount is None or direction == 0 or not record.complete:
        return
    bank_reference, customer_reference = _field(fields, -2), _field(fields, -1)
    statement.lines.append(
        BankStatementLine(
            source_format="bai2",
            statement_id=statement.statement_id,
            account=statement.account,
            line_number=record.line,
            booked_on=state.group_date,
            value_date=value_date,
            amount=Money(amount_minor=direction * amount, currency=statement.currency),
            reference=bank_reference or customer_reference or None,
            description=record.text,
            bank_transaction_code=type_code,
            raw={
                "type_code": type_code,
                "amount": _field(fields, 1),
                "funds_type": _field(fields, 2),
                "bank_reference": bank_reference,
                "customer_reference": customer_reference,
                "text": record.text,
            },
        )
    )


def _close(record: Record, state: _State, log: ProblemLog) -> None:
    level, parent = {"49": ("account", "group"), "98": ("group", "file"), "99": ("file", "")}[record.code]
    totals = state.levels.pop(level, None)
    if totals is None:
        log.add(record.line, None, f"{record.code} trailer without its header")
        return
    declared_amount = _amount(_field(record.fields, 0), record, "control total", log)
    if declared_amount is not None and declared_amount != totals.amount:
        log.add(
            record.line, "control total", f"says {declared_amount}, the records add up to {totals.amount}"
        )
    declared_count = _field(record.fields, -1)
    if declared_count != str(totals.records):
        log.add(record.line, "number of records", f"says {declared_count!r}, found {totals.records}")
    if record.code != "49":
        children = _field(record.fields, 1)
        if children != str(totals.children):
            log.add(record.line, "number of sections", f"says {children!r}, found {totals.children}")
    if parent in state.levels:
        state.levels[parent].amount += totals.amount
        state.levels[parent].children += 1
    if record.code == "49" and state.account is not None:
        state.statements.append(state.account)
        state.account = None


def _amount(text: str, record: Record, field_name: str, log: ProblemLog) -> int | None:
    if not _AMOUNT.fullmatch(text):
        log.add(record.line, field_name, f"not a whole number of minor units: {text!r}")
        return None
    return int(text)


def _date(text: str, record: Record, field_name: str, log: ProblemLog) -> date | None:
    """YYMMDD; years 00-69 are 20xx."""
    if len(text) == 6 and text.isascii() and text.isdigit():
        year = int(text[:2])
        try:
            return date(2000 + year if year < 70 else 1900 + year, int(text[2:4]), int(text[4:]))
        except ValueError:
            pass
    log.add(record.line, field_name, f"not a date YYMMDD: {text!r}")
    return None


def _field(fields: list[str], index: int) -> str:
    try:
        return fields[index].strip()
    except IndexError:
        return ""
