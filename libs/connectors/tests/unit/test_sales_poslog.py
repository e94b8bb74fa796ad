"""ARTS POSLog (NCR ACS dialect) -> canonical transactions, on a real published POSLog file."""

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from canon.money import Money
from canon.sales import validate_transaction
from connectors.errors import ParseError
from connectors.sales.poslog import parse_poslog

SAMPLE = (
    Path(__file__).resolve().parents[4] / ".." / "shared" / "samples" / "poslog" / "ncr_acs_poslog_SMALL.xml"
)
NEW_YORK = ZoneInfo("America/New_York")
SALE = "Transaction[2](seq 161)/RetailTransaction"


def usd(minor: int) -> Money:
    return Money(minor, "USD")


def parse(content: bytes, **options):
    return parse_poslog(content, legal_entity_id="US01", **({"timezone": NEW_YORK} | options))


def edited(old: str, new: str) -> bytes:
    text = SAMPLE.read_text()
    assert old in text
    return text.replace(old, new, 1).encode()


def problems(error: pytest.ExceptionInfo[ParseError]) -> list[tuple[int, str | None, str]]:
    return [(p.line, p.field, p.reason) for p in error.value.problems]


def test_sample_gives_one_sale_with_its_weighed_item_reward_and_card_tender():
    [tx] = parse(SAMPLE.read_bytes())  # the first Transaction is an operator sign-on: skipped
    assert (tx.document_id, tx.order_id, tx.kind, tx.node_id, tx.channel_id) == (
        "9-34-2017-09-30-161",
        "9-34-2017-09-30-161",
        "sale",
        "9",
        "store",
    )
    assert (tx.source_system, tx.legal_entity_id, tx.currency) == ("pos", "US01", "USD")
    assert tx.business_date == date(2017, 9, 30)
    assert tx.occurred_at == datetime(2017, 10, 1, 6, 2, 54, tzinfo=UTC)  # 02:02:54 EDT
    [apple] = tx.lines
    assert (apple.line_id, apple.sku, apple.quantity, apple.weighed_quantity) == (
        "1",
        "00000000067591",
        1,
        "0.42",
    )
    assert (apple.unit_price, apple.category_id) == (usd(126), "6")  # 0.42 x 2.99 = 1.2558 -> 1.26
    # PercentOff 15% (promotion 5123) appears as a detail and a summary record: counted once
    [reward] = apple.discounts
    assert (reward.amount, reward.promotion_id, reward.description) == (
        usd(19),
        None,
        "POS promotion 5123 event 1 (PercentOff)",
    )
    [card] = tx.tenders
    assert (card.tender_id, card.kind, card.amount) == ("2", "card", usd(107))
    assert (card.processor_reference, card.authorization_code) == ("344665", "734277")
    assert (tx.net_total, tx.tax_total, tx.tender_total) == (usd(107), usd(0), usd(107))
    assert validate_transaction(tx) == []


def test_promotion_resolver_names_the_canonical_promotion_version():
    seen = []

    def resolver(fields):
        seen.append(dict(fields))
        return ("PROMO-15-OFF", 2) if fields["promotion_id"] == "5123" else None

    [tx] = parse(SAMPLE.read_bytes(), promotion_resolver=resolver)
    assert seen == [{"promotion_id": "5123", "event_id": "1", "reward_type": "PercentOff"}]
    [reward] = tx.lines[0].discounts
    assert (reward.promotion_id, reward.promotion_version) == ("PROMO-15-OFF", 2)


def test_currency_given_by_the_caller_must_agree_with_the_file():
    with pytest.raises(ParseError) as raised:
        parse(SAMPLE.read_bytes(), currency="CAD")
    assert problems(raised) == [
        (2, "Transaction[2](seq 161)/CurrencyCode", "USD differs from the expected CAD"),
    ]


def test_local_timestamps_need_the_store_timezone():
    with pytest.raises(ParseError) as raised:
        parse_poslog(SAMPLE.read_bytes(), legal_entity_id="US01")
    assert problems(raised) == [
        (
            2,
            "Transaction[2](seq 161)/EndDateTime",
            "'2017-10-01T02:02:54' has no UTC offset and no timezone was given",
        )
    ]


def test_non_numeric_price_names_the_transaction_line_and_element():
    content = edited("<RegularSalesUnitPrice>2.99<", "<RegularSalesUnitPrice>2,99<")
    with pytest.raises(ParseError) as raised:
        parse(content)
    assert problems(raised) == [
        (2, f"{SALE}/LineItem(seq 1)/Sale/RegularSalesUnitPrice", "not a decimal amount: '2,99'")
    ]


def test_missing_item_id_and_tender_amount_are_both_reported():
    content = edited("<ItemID>00000000067591</ItemID>", "").decode()
    content = content.replace("<POSItemID>00000000067591</POSItemID>", "", 1).replace(
        "<Amount>1.07</Amount>", ""
    )
    with pytest.raises(ParseError) as raised:
        parse(content.encode())
    assert problems(raised) == [
        (2, f"{SALE}/LineItem(seq 1)/Sale/ItemID", "required, missing"),
        (2, f"{SALE}/LineItem(seq 2)/Tender/Amount", "required, missing"),
    ]


def test_extended_amount_that_does_not_follow_from_price_and_weight_is_refused():
    content = edited("<ExtendedAmount>1.26<", "<ExtendedAmount>1.62<")
    with pytest.raises(ParseError) as raised:
        parse(content)
    assert problems(raised) == [
        (
            2,
            f"{SALE}/LineItem(seq 1)/Sale/ExtendedAmount",
            "1.62 USD is not RegularSalesUnitPrice x Quantity less price modifiers (1.26 USD - 0.00 USD)",
        )
    ]


def test_grand_total_that_disagrees_with_the_lines_is_refused():
    content = edited(
        '<Total TotalType="TransactionGrandAmount">1.07<', '<Total TotalType="TransactionGrandAmount">1.26<'
    )
    with pytest.raises(ParseError) as raised:
        parse(content)
    assert problems(raised) == [
        (
            2,
            f"{SALE}/Total[TransactionGrandAmount]",
            "1.26 USD but the lines read add up to 1.07 USD (net 1.07 USD, tax 0.00 USD)",
        )
    ]


def test_return_with_transaction_link_becomes_a_refund_return():
    link = (
        "<TransactionLink><RetailStoreID>9</RetailStoreID><WorkstationID>34</WorkstationID>"
        "<SequenceNumber>120</SequenceNumber><BusinessDayDate>2017-09-29</BusinessDayDate></TransactionLink>"
    )
    content = edited('<Sale ItemType="Stock">', f'<Return ItemType="Stock">{link}').decode()
    content = content.replace("</Sale>", "</Return>", 1).replace('TypeCode="Sale"', 'TypeCode="Refund"', 1)
    content = content.replace('TransactionGrandAmount">1.07', 'TransactionGrandAmount">-1.07', 1)
    [tx] = parse(content.encode())
    assert (tx.kind, tx.original_document_id) == ("return", "9-34-2017-09-29-120")
    assert (tx.lines[0].returned, tx.tenders[0].refund) == (True, True)
    assert (tx.net_total, tx.tender_total) == (usd(107), usd(107))
    assert validate_transaction(tx) == []


def test_tax_line_item_is_spread_over_the_lines():
    tax = (
        '<LineItem><SequenceNumber>24</SequenceNumber><Tax TaxType="Sales"><TaxAuthority>NY</TaxAuthority>'
        "<TaxableAmount>1.07</TaxableAmount><Amount>0.09</Amount><Percent>8.875</Percent></Tax></LineItem>"
    )
    content = edited("<Total TotalType=", f"{tax}<Total TotalType=").decode()
    content = content.replace('TransactionGrandAmount">1.07', 'TransactionGrandAmount">1.16', 1)
    [tx] = parse(content.encode())
    [levied] = tx.lines[0].taxes
    assert (levied.jurisdiction, levied.amount, levied.rate) == ("NY", usd(9), "0.08875")
    # the sample's card tender (1.07) was taken before this added tax: now reported, not absorbed
    assert [(p.field, p.reason) for p in validate_transaction(tx)] == [
        (
            "tenders",
            "transaction does not balance: lines net 1.07 USD + tax 0.09 USD + shipping 0.00 USD "
            "= 1.16 USD, tenders total 1.07 USD (difference 0.09 USD)",
        )
    ]


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<POSLog xmlns="http://www.nrf-arts.org/IXRetail/namespace/"><Transaction><RetailStoreID>&lol4;</RetailStoreID>
</Transaction></POSLog>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE POSLog [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<POSLog xmlns="http://www.nrf-arts.org/IXRetail/namespace/"><Transaction><RetailStoreID>&secret;</RetailStoreID>
</Transaction></POSLog>"""


@pytest.mark.parametrize(
    "content", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["billion-laughs", "external-entity"]
)
def test_entity_tricks_are_refused(content):
    with pytest.raises(ParseError) as raised:
        parse(content)
    [(line, field, reason)] = problems(raised)
    assert (line, field) == (0, None)
    assert reason.startswith("unsafe XML refused: DTDForbidden")


def test_truncated_xml_is_a_parse_error():
    with pytest.raises(ParseError) as raised:
        parse(SAMPLE.read_bytes()[:500])
    assert problems(raised)[0][2].startswith("not well-formed XML: ")
