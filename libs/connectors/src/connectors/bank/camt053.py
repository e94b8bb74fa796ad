"""ISO 20022 camt.053 (BankToCustomerStatement), any version (001.02 ... 001.13) -> BankStatements.

One BankStatementLine per booked entry (Ntry with status BOOK): the entry is what moved the
account, even when it bundles a batch of transactions (TxDtls). The sign comes from CdtDbtInd;
a reversal (RvslInd) is already booked in the direction it moved the account. Balances are taken
as stated (OPBD or PRCD opening, CLBD closing), never recomputed: some banks' files do not add up.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from datetime import date

from canon import currency as iso4217
from canon.bank import BankStatement, BankStatementLine
from canon.money import Money

from connectors._parsing import ProblemLog, RowReader, to_money
from connectors.bank._xml import attribute_at, clean, local_name, parse_xml, text_at, unique

Element = ElementTree.Element
_OPENING = ("OPBD", "PRCD")
_CLOSING = ("CLBD",)
_PLACEHOLDERS = {"", "NOTPROVIDED", "NONREF"}


def parse_camt053(content: bytes, *, filename: str | None = None) -> list[BankStatement]:
    """Parse every statement in the message; ParseError lists every bad entry with its line."""
    log = ProblemLog(filename)
    root, lines = parse_xml(content, log)
    namespace = root.tag[1:].split("}", 1)[0] if root.tag.startswith("{") else ""
    if local_name(root.tag) != "Document" or ".camt.053." not in f".{namespace.rsplit(':', 1)[-1]}.":
        raise log.fail(1, None, f"not a camt.053 document (root {root.tag!r})")
    for element in root.iter():
        element.tag = local_name(element.tag)
    statements = [_statement(stmt, lines, log) for stmt in root.iterfind("BkToCstmrStmt/Stmt")]
    log.raise_if_any()
    if not statements:
        raise log.fail(1, None, "no Stmt in the document")
    return [statement for statement in statements if statement is not None]


def _statement(stmt: Element, lines: dict[Element, int], log: ProblemLog) -> BankStatement | None:
    line = lines[stmt]
    statement_id = text_at(stmt, "Id")
    account = text_at(stmt, "Acct/Id/IBAN") or text_at(stmt, "Acct/Id/Othr/Id")
    currency = (
        text_at(stmt, "Acct/Ccy")
        or attribute_at(stmt, "Bal/Amt", "Ccy")
        or attribute_at(stmt, "Ntry/Amt", "Ccy")
    )
    problems_before = len(log.problems)
    if not statement_id:
        log.add(line, "Stmt/Id", "missing value")
    if not account:
        log.add(line, "Stmt/Acct/Id", "missing IBAN or Othr/Id")
    if not iso4217.is_known(currency):
        log.add(line, "Stmt/Acct/Ccy", f"unknown currency {currency!r}")
        return None
    opening = closing = None
    for balance in stmt.iterfind("Bal"):
        code = text_at(balance, "Tp/CdOrPrtry/Cd") or text_at(balance, "Tp/CdOrPrtry/Prtry")
        if code in _OPENING or code in _CLOSING:
            amount = _signed_amount(RowReader(log, lines[balance], {}), balance, currency)
            if code in _OPENING:
                opening = opening or amount
            else:
                closing = closing or amount
    entries = [
        entry
        for ntry in stmt.iterfind("Ntry")
        if _status(ntry) == "BOOK"
        and (entry := _entry(RowReader(log, lines[ntry], {}), ntry, statement_id, account, currency))
    ]
    if len(log.problems) > problems_before:
        return None
    return BankStatement(
        source_format="camt053",
        statement_id=statement_id,
        account=account,
        currency=currency,
        opening_balance=opening,
        closing_balance=closing,
        lines=entries,
    )


def _entry(
    row: RowReader, ntry: Element, statement_id: str, account: str, currency: str
) -> BankStatementLine | None:
    amount = _signed_amount(row, ntry, currency)
    booked_on = _date(row, ntry, "BookgDt")
    value_date = _date(row, ntry, "ValDt") if ntry.find("ValDt") is not None else None
    if booked_on is None and row.ok:
        row.fail("Ntry/BookgDt", "missing value")
    if not row.ok or amount is None or booked_on is None:
        return None
    transactions = ntry.findall("NtryDtls/TxDtls")
    credit = amount.amount_minor >= 0
    counterparties = unique(
        text_at(tx, "RltdPties/Dbtr/Nm" if credit else "RltdPties/Cdtr/Nm")
        or text_at(tx, "RltdPties/Dbtr/Pty/Nm" if credit else "RltdPties/Cdtr/Pty/Nm")
        for tx in transactions
    )
    return BankStatementLine(
        source_format="camt053",
        statement_id=statement_id,
        account=account,
        line_number=row.line,
        booked_on=booked_on,
        value_date=value_date,
        amount=amount,
        reference=_reference(ntry, transactions),
        description=" ".join(unique(_descriptions(ntry, transactions))),
        counterparty=counterparties[0] if len(counterparties) == 1 else None,
        bank_transaction_code=_transaction_code(ntry),
        raw=_raw(ntry, transactions),
    )


def _signed_amount(row: RowReader, element: Element, currency: str) -> Money | None:
    field = f"{element.tag}/Amt"
    amount = row.decimal_text(field, text_at(element, "Amt"))
    entry_currency = attribute_at(element, "Amt", "Ccy")
    indicator = text_at(element, "CdtDbtInd")
    if indicator not in ("CRDT", "DBIT"):
        row.fail(f"{element.tag}/CdtDbtInd", f"expected CRDT or DBIT, found {indicator!r}")
    if entry_currency != currency:
        row.fail(f"{field}/@Ccy", f"currency {entry_currency!r} is not the statement's {currency}")
    if amount is None or not row.ok:
        return None
    if amount < 0:
        row.fail(field, f"amount must not be negative: {amount}")
        return None
    try:
        money = to_money(amount, currency)
    except ValueError as error:
        row.fail(field, str(error))
        return None
    return money if indicator == "CRDT" else -money


def _date(row: RowReader, element: Element, name: str) -> date | None:
    text = text_at(element, f"{name}/Dt") or text_at(element, f"{name}/DtTm")[:10]
    try:
        return date.fromisoformat(text)
    except ValueError:
        row.fail(f"{element.tag}/{name}", f"not a date: {text!r}")
        return None


def _status(ntry: Element) -> str:
    return text_at(ntry, "Sts/Cd") or text_at(ntry, "Sts")


def _reference(ntry: Element, transactions: list[Element]) -> str | None:
    end_to_end = [ref for tx in transactions if (ref := text_at(tx, "Refs/EndToEndId")) not in _PLACEHOLDERS]
    if len(transactions) == 1 and end_to_end:
        return end_to_end[0]
    for path in ("NtryDtls/Btch/PmtInfId", "NtryRef", "AcctSvcrRef"):
        if (value := text_at(ntry, path)) not in _PLACEHOLDERS:
            return value
    return None


def _descriptions(ntry: Element, transactions: list[Element]) -> list[str]:
    remittance = [clean(node.text) for tx in transactions for node in tx.iterfind("RmtInf/Ustrd")]
    remittance += [text_at(tx, "RmtInf/Strd/CdtrRefInf/Ref") for tx in transactions]
    remittance = [text for text in remittance if text]
    if remittance:
        return remittance
    additional = [text_at(tx, "AddtlTxInf") for tx in transactions]
    return [text for text in additional if text] or [text_at(ntry, "AddtlNtryInf")]


def _transaction_code(ntry: Element) -> str | None:
    domain = [
        text_at(ntry, "BkTxCd/Domn/Cd"),
        text_at(ntry, "BkTxCd/Domn/Fmly/Cd"),
        text_at(ntry, "BkTxCd/Domn/Fmly/SubFmlyCd"),
    ]
    if all(domain):
        return "/".join(domain)
    return text_at(ntry, "BkTxCd/Prtry/Cd") or None


def _raw(ntry: Element, transactions: list[Element]) -> dict[str, str]:
    raw = {
        path: text_at(ntry, path)
        for path in (
            "Amt",
            "CdtDbtInd",
            "RvslInd",
            "BookgDt/Dt",
            "ValDt/Dt",
            "NtryRef",
            "AcctSvcrRef",
            "AddtlNtryInf",
        )
    }
    raw["Amt/@Ccy"] = attribute_at(ntry, "Amt", "Ccy")
    raw["Sts"] = _status(ntry)
    raw["BkTxCd/Prtry/Cd"] = text_at(ntry, "BkTxCd/Prtry/Cd")
    raw["NtryDtls/Btch/PmtInfId"] = text_at(ntry, "NtryDtls/Btch/PmtInfId")
    for path in (
        "Refs/EndToEndId",
        "Refs/InstrId",
        "Refs/MndtId",
        "AmtDtls/TxAmt/Amt",
        "RtrInf/Rsn/Cd",
        "AddtlTxInf",
    ):
        raw[f"TxDtls/{path}"] = "; ".join(text_at(tx, path) for tx in transactions)
    return {key: value for key, value in raw.items() if value}
