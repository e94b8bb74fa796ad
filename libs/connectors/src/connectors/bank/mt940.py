"""SWIFT MT940 customer statement -> one BankStatement per message (:20: ... :62F:).

A focused parser rather than the `mt-940` PyPI package: on the project's samples that package
reads a corrupted amount "D11X59" as -11.00, accepts a statement cut off before its closing
balance, merges several statements of one file into one object and keeps no line numbers, all of
which would let a damaged file through. Lines before :20: (bank headers such as "ABNANL2A / 940")
and SWIFT {1:}{2:}{4: block wrappers are skipped; "-" ends a message. A statement must have
:25:, an opening (:60F:/:60M:) and a closing (:62F:/:62M:) balance. Mark D/RC is a debit, C/RD
a credit; the booking date is the entry date (year taken from the value date) or else the value
date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from canon import currency as iso4217
from canon.bank import BankStatement, BankStatementLine
from canon.money import Money

from connectors._parsing import ProblemLog, decode_text, parse_decimal, to_money
from connectors.bank._mt940_details import join_lines, parse_details

_TAG = re.compile(r":(\d{2}[A-Z]?|NS):(.*)")
_BALANCE = re.compile(r"(?P<mark>[CD])(?P<date>\d{6})(?P<currency>[A-Z]{3})(?P<amount>\d+,\d*)")
_LINE = re.compile(
    r"(?P<value>\d{6})(?P<entry>\d{4})?(?P<mark>RC|RD|EC|ED|C|D)(?P<funds>[A-Z])?"
    r"(?P<amount>\d+,\d*)(?P<type>[NFS][A-Z0-9]{3})(?P<customer_ref>.*?)(?://(?P<bank_ref>.*))?"
)
_CREDIT_MARKS = {"C", "RD", "EC"}


@dataclass
class _Field:
    tag: str
    line: int
    lines: list[str]


@dataclass
class _Message:
    line: int
    fields: list[_Field] = field(default_factory=list)


def parse_mt940(content: bytes, *, filename: str | None = None) -> list[BankStatement]:
    """Parse every statement in the file; ParseError lists every bad field with its line."""
    log = ProblemLog(filename)
    messages = _messages(decode_text(content, log, fallback="latin-1"), log)
    statements = [statement for message in messages if (statement := _statement(message, log))]
    log.raise_if_any()
    if not statements:
        raise log.fail(1, None, "no MT940 statement (:20: ... :62F:) in the file")
    return statements


def _messages(text: str, log: ProblemLog) -> list[_Message]:
    messages: list[_Message] = []
    current: _Message | None = None
    for number, raw_line in enumerate(text.splitlines(), start=1):
        line = raw_line.rstrip()
        if line.startswith("{") and "{4:" in line:
            line = line.split("{4:", 1)[1]
        if line.strip() == "-" or line.startswith("-}"):
            current = None
            continue
        match = _TAG.fullmatch(line)
        if match:
            if match.group(1) == "20":
                current = _Message(line=number)
                messages.append(current)
            if current is None:
                log.add(number, f":{match.group(1)}:", "field before the statement's :20: reference")
                continue
            current.fields.append(_Field(tag=match.group(1), line=number, lines=[match.group(2)]))
        elif current is not None and current.fields and line.strip():
            current.fields[-1].lines.append(line)
    return messages


def _statement(message: _Message, log: ProblemLog) -> BankStatement | None:
    values = {item.tag: item for item in message.fields}
    problems_before = len(log.problems)
    account = _value(values, "25")
    if not account:
        log.add(message.line, ":25:", "statement has no account identification")
    opening = _balance(values.get("60F") or values.get("60M"), "opening", message, log)
    closing = _balance(values.get("62F") or values.get("62M"), "closing", message, log)
    if opening is None or len(log.problems) > problems_before:
        return None
    number = _value(values, "28C") or _value(values, "28") or _value(values, "20")
    statement_id = f"{account}/{number}"
    lines: list[BankStatementLine] = []
    for index, item in enumerate(message.fields):
        if item.tag != "61":
            continue
        following = message.fields[index + 1] if index + 1 < len(message.fields) else None
        details = following.lines if following is not None and following.tag == "86" else []
        line = _line(item, details, opening.currency, statement_id, account, log)
        if line is not None:
            lines.append(line)
    return BankStatement(
        source_format="mt940",
        statement_id=statement_id,
        account=account,
        currency=opening.currency,
        opening_balance=opening,
        closing_balance=closing,
        lines=lines,
    )


def _line(
    item: _Field, details_lines: list[str], currency: str, statement_id: str, account: str, log: ProblemLog
) -> BankStatementLine | None:
    match = _LINE.fullmatch(item.lines[0])
    if match is None:
        log.add(item.line, ":61:", f"not a statement line (date, D/C mark, amount, type): {item.lines[0]!r}")
        return None
    value_date = _date(match.group("value"), item.line, ":61: value date", log)
    amount = _money(match.group("amount"), currency, item.line, ":61: amount", log)
    if value_date is None or amount is None:
        return None
    booked_on = _entry_date(value_date, match.group("entry"), item.line, log)
    if booked_on is None:
        return None
    details = parse_details(details_lines)
    customer_ref = match.group("customer_ref").strip()
    own_reference = (
        customer_ref if customer_ref.upper() != "NONREF" and not customer_ref.endswith("+") else ""
    )
    bank_ref = (match.group("bank_ref") or "").strip()
    raw = {
        "61": "\n".join(item.lines),
        "customer_reference": customer_ref,
        "bank_reference": bank_ref,
    } | details.raw
    return BankStatementLine(
        source_format="mt940",
        statement_id=statement_id,
        account=account,
        line_number=item.line,
        booked_on=booked_on,
        value_date=value_date,
        amount=amount if match.group("mark") in _CREDIT_MARKS else -amount,
        reference=details.end_to_end_id or own_reference or details.customer_reference or bank_ref or None,
        description=details.description,
        counterparty=details.counterparty,
        bank_transaction_code=match.group("type"),
        raw={key: value for key, value in raw.items() if value},
    )


def _balance(item: _Field | None, which: str, message: _Message, log: ProblemLog) -> Money | None:
    tag = ":60F:" if which == "opening" else ":62F:"
    if item is None:
        log.add(message.line, tag, f"statement has no {which} balance (truncated?)")
        return None
    text = join_lines(item.lines)
    match = _BALANCE.fullmatch(text)
    if match is None:
        log.add(item.line, f":{item.tag}:", f"not a balance (mark, YYMMDD, currency, amount): {text!r}")
        return None
    if not iso4217.is_known(match.group("currency")):
        log.add(item.line, f":{item.tag}:", f"unknown currency {match.group('currency')!r}")
        return None
    amount = _money(match.group("amount"), match.group("currency"), item.line, f":{item.tag}:", log)
    if amount is None or _date(match.group("date"), item.line, f":{item.tag}: date", log) is None:
        return None
    return amount if match.group("mark") == "C" else -amount


def _money(text: str, currency: str, line: int, field_name: str, log: ProblemLog) -> Money | None:
    try:
        return to_money(parse_decimal(text.replace(",", ".")), currency)
    except ValueError as error:
        log.add(line, field_name, str(error))
        return None


def _date(text: str, line: int, field_name: str, log: ProblemLog) -> date | None:
    try:
        return date(2000 + int(text[:2]), int(text[2:4]), int(text[4:6]))
    except ValueError:
        log.add(line, field_name, f"not a date YYMMDD: {text!r}")
        return None


def _entry_date(value_date: date, entry: str | None, line: int, log: ProblemLog) -> date | None:
    """MMDD entry date in the year that puts it nearest the value date (Dec/Jan wrap)."""
    if not entry:
        return value_date
    month, day = int(entry[:2]), int(entry[2:])
    year = value_date.year + (1 if value_date.month == 12 and month == 1 else 0)
    year -= 1 if value_date.month == 1 and month == 12 else 0
    try:
        return date(year, month, day)
    except ValueError:
        log.add(line, ":61: entry date", f"not a date MMDD: {entry!r}")
        return None


def _value(values: dict[str, _Field], tag: str) -> str:
    item = values.get(tag)
    return join_lines(item.lines).strip() if item is not None else ""
