"""Shared builders for the reconciliation tests: ledger entries, sales transactions, settlement files."""

from __future__ import annotations

from datetime import UTC, date, datetime

from canon.ledger import JournalEntry, JournalLine
from canon.money import Money
from canon.sales import Discount, SalesLine, SalesTransaction, TaxLine, Tender

ADYEN_HEADER = (
    "Company Account,Merchant Account,Psp Reference,Merchant Reference,Payment Method,Creation Date,TimeZone,"
    "Type,Modification Reference,Gross Currency,Gross Debit (GC),Gross Credit (GC),Exchange Rate,"
    "Net Currency,"
    "Net Debit (NC),Net Credit (NC),Commission (NC),Markup (NC),Scheme Fees (NC),Interchange (NC),"
    "Payment Method Variant,Modification Merchant Reference,Batch Number,Reserved4,Reserved5,Reserved6,"
    "Reserved7,Reserved8,Reserved9,Reserved10"
)


def money(minor: int, currency: str = "EUR") -> Money:
    return Money(minor, currency)


def card_sale_entry(
    reference: str,
    amount_minor: int,
    *,
    day: date = date(2026, 3, 2),
    entity: str = "LE-NL",
    channel: str = "WEB-NL",
    tax_minor: int = 0,
    discount_minor: int = 0,
    document: str | None = None,
    processor: str = "adyen",
    currency: str = "EUR",
) -> JournalEntry:
    """A sale as the ledger posts it: debit tender clearing, credit revenue (and tax), debit discount."""
    revenue = amount_minor - tax_minor + discount_minor
    lines = [
        JournalLine(
            account="1150",
            role="tender_clearing",
            side="debit",
            amount=money(amount_minor, currency),
            tender_kind="card",
            processor=processor,
            processor_reference=reference,
        ),
        JournalLine(account="4000", role="revenue", side="credit", amount=money(revenue, currency)),
    ]
    if tax_minor:
        lines.append(
            JournalLine(account="2200", role="tax_payable", side="credit", amount=money(tax_minor, currency))
        )
    if discount_minor:
        lines.append(
            JournalLine(
                account="4100", role="contra_revenue", side="debit", amount=money(discount_minor, currency)
            )
        )
    document_id = document or f"DOC-{reference}"
    return JournalEntry(
        entry_id=f"E-{document_id}",
        legal_entity_id=entity,
        currency=currency,
        business_date=day,
        period_id=f"{day:%Y-%m}",
        posted_at=datetime.combine(day, datetime.min.time(), tzinfo=UTC).replace(hour=20),
        source_system="web",
        document_id=document_id,
        order_id=f"O-{reference}",
        transaction_kind="sale",
        channel_id=channel,
        node_id="STORE-1",
        lines=lines,
    )


def sale_transaction(
    reference: str,
    amount_minor: int,
    *,
    tax_minor: int,
    discount_minor: int,
    day: date = date(2026, 3, 2),
    kind: str = "sale",
    order_id: str | None = None,
    document: str | None = None,
) -> SalesTransaction:
    returned = kind == "return"
    line = SalesLine(
        line_id="1",
        sku="SKU-1",
        quantity=1,
        unit_price=money(amount_minor - tax_minor + discount_minor),
        discounts=[Discount(amount=money(discount_minor))] if discount_minor else [],
        taxes=[TaxLine(jurisdiction="NL", amount=money(tax_minor))] if tax_minor else [],
        returned=returned,
    )
    tender = Tender(
        tender_id="T1",
        kind="card",
        amount=money(amount_minor),
        refund=returned,
        processor="adyen",
        processor_reference=reference,
    )
    return SalesTransaction(
        source_system="web",
        document_id=document or f"DOC-{reference}",
        kind=kind,  # type: ignore[arg-type]
        order_id=order_id or f"O-{reference}",
        channel_id="WEB-NL",
        node_id="STORE-1",
        legal_entity_id="LE-NL",
        currency="EUR",
        business_date=day,
        occurred_at=datetime.combine(day, datetime.min.time(), tzinfo=UTC),
        lines=[line],
        tenders=[tender],
        original_document_id="DOC-ORIG" if returned else None,
    )


def adyen_row(
    psp: str,
    kind: str,
    gross: str,
    net: str,
    *,
    fee: str = "",
    batch: str = "7",
    created: str = "2026-03-03 10:00:00",
    modification: str = "",
    debit: bool = False,
    gross_currency: str = "EUR",
    net_currency: str = "EUR",
    rate: str = "1",
) -> str:
    gross_debit, gross_credit = (gross, "") if debit else ("", gross)
    net_debit, net_credit = (net, "") if debit else ("", net)
    return (
        f"Shop,ShopEU,{psp},,visa,{created},UTC,{kind},{modification or psp},{gross_currency},{gross_debit},"
        f"{gross_credit},{rate},{net_currency},"
        f"{net_debit},{net_credit},{fee},,,,visa,,{batch},,,,,,,"
    )


def adyen_payout_row(
    amount: str, reference: str, *, batch: str = "7", created: str = "2026-03-03 23:00:00"
) -> str:
    return (
        f'Shop,ShopEU,,,,{created},UTC,MerchantPayout,"{reference} batch {batch}, ShopEU",EUR,,,,EUR,'
        f"{amount},,,,,,,,{batch},,,,,,,"
    )


def adyen_file(rows: list[str]) -> bytes:
    return ("\n".join([ADYEN_HEADER, *rows]) + "\n").encode()


def camt053(
    credits: list[tuple[str, str, str]], *, statement_id: str = "STMT-1", account: str = "NL91ABNA0417164300"
) -> bytes:
    """A minimal camt.053.001.02 statement: one credit entry per (amount, booking date, remittance text)."""
    entries = "".join(
        f"""<Ntry><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
<BookgDt><Dt>{booked}</Dt></BookgDt><ValDt><Dt>{booked}</Dt></ValDt><BkTxCd/>
<NtryDtls><TxDtls><Refs><EndToEndId>{text}</EndToEndId></Refs><RmtInf><Ustrd>{text}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>"""
        for amount, booked, text in credits
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>
<GrpHdr><MsgId>MSG-{statement_id}</MsgId><CreDtTm>2026-03-05T08:00:00</CreDtTm></GrpHdr>
<Stmt><Id>{statement_id}</Id><CreDtTm>2026-03-05T08:00:00</CreDtTm>
<Acct><Id><IBAN>{account}</IBAN></Id><Ccy>EUR</Ccy></Acct>
{entries}
</Stmt></BkToCstmrStmt></Document>""".encode()
