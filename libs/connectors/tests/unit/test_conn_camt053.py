"""ISO 20022 camt.053: the two real samples, hostile XML, corrupted copies and a newer version."""

from datetime import date
from pathlib import Path

import pytest
from canon.money import Money
from connectors.bank import parse_camt053
from connectors.errors import ParseError

SAMPLES = Path(__file__).resolve().parents[4] / ".." / "shared" / "samples" / "camt053"
GENKGO = (SAMPLES / "genkgo_camt053.v2.multi.statement.xml").read_bytes()
OCA = (SAMPLES / "oca_test-camt053.xml").read_bytes()


def eur(minor: int) -> Money:
    return Money(amount_minor=minor, currency="EUR")


def test_two_statements_in_one_message():
    first, second = parse_camt053(GENKGO)
    assert (first.statement_id, second.statement_id) == (
        "253EURNL26VAYB8060476890",
        "254EURNL26VAYB8060476890",
    )
    assert first.source_format == "camt053"
    assert first.account == second.account == "NL26VAYB8060476890"
    assert first.currency == "EUR"
    assert (first.opening_balance, first.closing_balance) == (eur(1815), eur(2700))
    assert (second.opening_balance, second.closing_balance) == (eur(2700), eur(2000))
    (credit,) = first.lines
    assert credit.line_number == 66
    assert credit.amount == eur(885)
    assert credit.booked_on == date(2014, 12, 31)
    assert credit.value_date == date(2015, 1, 2)
    assert credit.reference == "000000001"
    assert credit.description == "Transaction Description 1"
    assert credit.bank_transaction_code == "544"
    (debit,) = second.lines
    assert debit.amount == eur(-700)
    assert debit.counterparty == "Company Name 2"


def test_direct_debits_batch_and_credit_transfer():
    (statement,) = parse_camt053(OCA)
    assert statement.statement_id == "1234Test/1"
    assert statement.account == "NL77ABNA0574908765"
    assert (statement.opening_balance, statement.closing_balance) == (eur(1556827), eur(1512112))
    debit, reversal, credit = statement.lines
    assert [line.line_number for line in statement.lines] == [50, 113, 228]
    assert debit.amount == eur(-75425)
    assert debit.reference == "435005714488-ABNO33052620"
    assert debit.counterparty == "INSURANCE COMPANY TESTX"
    assert debit.bank_transaction_code == "PMNT/RDDT/ESDD"
    assert debit.description == "Insurance policy 857239PERIOD 01.01.2014 - 31.12.2014"
    assert debit.raw["TxDtls/Refs/MndtId"] == "1880000341866"
    assert reversal.amount == eur(-66405)  # RvslInd true, booked as a debit
    assert reversal.reference == "2018/125-20141229-NORM"  # a batch: its payment information id
    assert reversal.raw["RvslInd"] == "true"
    assert reversal.raw["TxDtls/RtrInf/Rsn/Cd"] == "AC06; AC06"
    assert credit.amount == eur(140531)
    assert credit.reference == "115"
    assert credit.counterparty == "3rd party Media"
    assert credit.description == "#RD PARTY MEDIA CUSNO 90782 4210773"


def test_billion_laughs_is_refused_cleanly():
    bomb = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">&lol9;</Document>"""
    with pytest.raises(ParseError) as caught:
        parse_camt053(bomb)
    assert caught.value.problems[0].line == 3
    assert "unsafe XML refused" in caught.value.problems[0].reason


def test_external_entity_is_refused():
    xxe = b"""<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">&secret;</Document>"""
    with pytest.raises(ParseError, match="unsafe XML refused"):
        parse_camt053(xxe)


def test_bad_amounts_in_two_entries_are_both_reported():
    corrupted = OCA.replace(
        b'<Amt Ccy="EUR">754.25</Amt>\n                <CdtDbtInd>DBIT',
        b'<Amt Ccy="EUR">754,25</Amt>\n                <CdtDbtInd>DBIT',
    )
    corrupted = corrupted.replace(
        b"<CdtDbtInd>CRDT</CdtDbtInd>\n                <Sts>",
        b"<CdtDbtInd>CR</CdtDbtInd>\n                <Sts>",
    )
    with pytest.raises(ParseError) as caught:
        parse_camt053(corrupted)
    assert [str(problem) for problem in caught.value.problems] == [
        "line 50, field 'Ntry/Amt': not a decimal: '754,25'",
        "line 228, field 'Ntry/CdtDbtInd': expected CRDT or DBIT, found 'CR'",
    ]


def test_truncated_file_is_malformed_xml_with_a_line():
    with pytest.raises(ParseError) as caught:
        parse_camt053(OCA[: len(OCA) // 2])
    assert caught.value.problems[0].reason.startswith("malformed XML")
    assert caught.value.problems[0].line == OCA[: len(OCA) // 2].count(b"\n") + 1


NEWER = b"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>M1</MsgId><CreDtTm>2024-05-02T06:00:00+02:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>STMT-2024-05-01</Id>
      <Acct><Id><Othr><Id>123456789</Id></Othr></Id><Ccy>GBP</Ccy></Acct>
      <Ntry>
        <Amt Ccy="GBP">1250.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
        <BookgDt><DtTm>2024-05-01T10:00:00+01:00</DtTm></BookgDt>
        <AcctSvcrRef>BANKREF-1</AcctSvcrRef>
        <NtryDtls><TxDtls>
          <Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>
          <RltdPties><Dbtr><Pty><Nm>Adyen N.V.</Nm></Pty></Dbtr></RltdPties>
          <RmtInf><Ustrd>TX3488899933XT batch 3</Ustrd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>
      <Ntry>
        <Amt Ccy="GBP">9.99</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts><Cd>PDNG</Cd></Sts>
        <BookgDt><Dt>2024-05-01</Dt></BookgDt>
      </Ntry>
    </Stmt>
  </BkToCstmrStmt>
</Document>"""


def test_newer_version_with_party_wrapper_and_pending_entry_skipped():
    (statement,) = parse_camt053(NEWER)
    assert statement.account == "123456789"
    assert statement.currency == "GBP"
    assert statement.opening_balance is None
    (line,) = statement.lines
    assert line.amount == Money(amount_minor=125000, currency="GBP")
    assert line.booked_on == date(2024, 5, 1)
    assert line.value_date is None
    assert line.reference == "BANKREF-1"  # NOTPROVIDED is no reference
    assert line.counterparty == "Adyen N.V."
    assert line.description == "TX3488899933XT batch 3"


def test_other_iso_messages_are_refused():
    camt054 = NEWER.replace(b"camt.053.001.08", b"camt.054.001.08")
    with pytest.raises(ParseError, match=r"not a camt\.053 document"):
        parse_camt053(camt054)
