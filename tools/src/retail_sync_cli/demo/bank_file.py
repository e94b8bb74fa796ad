"""ISO 20022 camt.053.001.02 bank statements for the days after trading (pure).

The US account receives the Adyen USD payout the next morning and Amazon's deposit two days after;
the Dutch account receives the Adyen EUR payout. Each credit carries the payer's remittance text, which
holds the payout reference the reconciliation looks for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from xml.sax.saxutils import escape

NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"


@dataclass(frozen=True)
class Receipt:
    booked_on: date
    amount_minor: int
    reference: str
    remittance: str
    payer: str


def _amount(minor: int) -> str:
    return f"{Decimal(abs(minor)).scaleb(-2):.2f}"


def _entry(receipt: Receipt, currency: str) -> str:
    return f"""
      <Ntry>
        <NtryRef>{escape(receipt.reference)}</NtryRef>
        <Amt Ccy="{currency}">{_amount(receipt.amount_minor)}</Amt>
        <CdtDbtInd>{"CRDT" if receipt.amount_minor >= 0 else "DBIT"}</CdtDbtInd>
        <Sts>BOOK</Sts>
        <BookgDt><Dt>{receipt.booked_on.isoformat()}</Dt></BookgDt>
        <ValDt><Dt>{receipt.booked_on.isoformat()}</Dt></ValDt>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls><TxDtls>
          <Refs><EndToEndId>{escape(receipt.reference)}</EndToEndId></Refs>
          <RltdPties><Dbtr><Nm>{escape(receipt.payer)}</Nm></Dbtr></RltdPties>
          <RmtInf><Ustrd>{escape(receipt.remittance)}</Ustrd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>"""


def camt053(
    statement_id: str, account: str, currency: str, on: date, opening_minor: int, receipts: list[Receipt]
) -> bytes:
    closing = opening_minor + sum(r.amount_minor for r in receipts)
    entries = "".join(_entry(r, currency) for r in receipts)
    account_id = (
        f"<IBAN>{account}</IBAN>"
        if account[:2].isalpha() and account[2:4].isdigit()
        else f"<Othr><Id>{account}</Id></Othr>"
    )
    balances = "".join(
        f"""
      <Bal>
        <Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp>
        <Amt Ccy="{currency}">{_amount(amount)}</Amt>
        <CdtDbtInd>{"CRDT" if amount >= 0 else "DBIT"}</CdtDbtInd>
        <Dt><Dt>{on.isoformat()}</Dt></Dt>
      </Bal>"""
        for code, amount in (("OPBD", opening_minor), ("CLBD", closing))
    )
    document = f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="{NAMESPACE}">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>{escape(statement_id)}</MsgId><CreDtTm>{on.isoformat()}T07:00:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>{escape(statement_id)}</Id>
      <CreDtTm>{on.isoformat()}T07:00:00</CreDtTm>
      <Acct>
        <Id>{account_id}</Id>
        <Ccy>{currency}</Ccy>
      </Acct>{balances}{entries}
    </Stmt>
  </BkToCstmrStmt>
</Document>
"""
    return document.encode("utf-8")
