"""Adyen reports read by columns (the bulk path) agree with the general row reader, line for line."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from canon.settlement import SettlementReport
from connectors._parsing import ProblemLog
from connectors.errors import ParseError
from connectors.settlement import adyen_table, parse_adyen
from connectors.settlement._adyen_columns import fast_table
from connectors.settlement.adyen import _parse_rows, _report
from connectors.settlement.table import SettlementTable

SAMPLES = Path(__file__).resolve().parents[4] / ".." / "shared" / "samples" / "adyen_settlement"
HEADER = (
    "Company Account,Merchant Account,Psp Reference,Merchant Reference,Payment Method,Creation Date,TimeZone,"
    "Type,Modification Reference,Gross Currency,Gross Debit (GC),Gross Credit (GC),Exchange Rate,"
    "Net Currency,Net Debit (NC),Net Credit (NC),Commission (NC),Markup (NC),Scheme Fees (NC),"
    "Interchange (NC),Payment Method Variant,Modification Merchant Reference,Batch Number,Reserved4"
)
ROWS = [
    "Shop,ShopEU,P1,O1,visa,2026-03-02 12:00:00,CET,Settled,P1,EUR,,10.00,1,EUR,,9.70,0.30,,,,visa,,7,",
    "Shop,ShopEU,P2,,mc,2026-03-02 13:00:00,CET,Settled,P2,EUR,,25.00,1,EUR,,24.50,0.10,0.05,0.15,0.20,m,,7,",
    "Shop,ShopEU,P1,O1,visa,2026-03-03 09:30:00,CET,Refunded,R1,EUR,5.00,,1,EUR,5.00,,,,,,visa,,7,",
    "Shop,ShopEU,P3,O3,visa,2026-03-03 10:00:00,CET,Chargeback,C3,EUR,10.00,,1,EUR,12.00,,2.00,,,,visa,,7,",
    "Shop,ShopEU,,,,2026-03-03 23:00:00,CET,Fee,Fees March,,,,,EUR,1.80,,,,,,,,7,",
    "Shop,ShopEU,P4,O4,jcb,2026-03-03 11:00:00,CET,Settled,P4,JPY,,1500,0.0061,EUR,,9.05,0.10,,,,jcb,,8,",
    "Shop,ShopEU,,,,2026-03-03 23:59:59,CET,MerchantPayout,TX99 batch 7 ShopEU,,,,,EUR,25.54,,,,,,,,7,",
    "Shop,ShopEU,P5,O5,visa,2026-03-04 01:00:00,CET,SettledBulk,P5,eur,,3.5,1,EUR,,3.40,0.1,,,,visa,,8,",
]


def plain(rows: list[str], *, newline: str = "\n") -> bytes:
    return (newline.join([HEADER, *rows]) + newline).encode()


def outcome(parse: Callable[[bytes], Any], content: bytes) -> tuple[str, Any]:
    """("taken", result) or ("rejected", problems)."""
    try:
        return "taken", parse(content)
    except ParseError as error:
        return "rejected", error.problems


def general(content: bytes) -> SettlementReport:
    return _parse_rows(content.decode("utf-8-sig"), ProblemLog())


def test_a_plain_report_is_read_by_columns_exactly_as_row_by_row() -> None:
    content = plain(ROWS)
    table = fast_table(content.decode())
    assert table is not None
    assert _report(table) == general(content) == parse_adyen(content)
    assert table.report_ids == ["7", "8"]
    assert table.line_number == list(range(2, 10))
    assert table.record_type == [
        "payment", "payment", "refund", "chargeback", "fee", "payment", "payout", "payment",
    ]  # fmt: skip
    assert table.gross_minor == [1000, 2500, -500, -1000, None, 1500, None, 350]
    assert table.currency[5] == "JPY"
    assert table.currency[7] == "EUR"  # "eur" normalised
    assert table.fee_minor == [30, 50, 0, 200, 180, 10, 0, 10]
    assert table.raw(0)["Payment Method"] == "visa"
    assert table.raw_json is None  # the line text and the header are the evidence


def test_windows_line_ends_and_a_byte_order_mark_take_the_same_path() -> None:
    content = b"\xef\xbb\xbf" + plain(ROWS, newline="\r\n")
    assert fast_table(content.decode("utf-8-sig").replace("\r\n", "\n")) is not None
    assert parse_adyen(content) == general(plain(ROWS))


@pytest.mark.parametrize(
    "row",
    [
        'Shop,ShopEU,P9,O9,visa,2026-03-02 12:00:00,CET,Settled,"P9, a",EUR,,1.00,1,EUR,,1.00,,,,,visa,,7,',
        "Shop,ShopEU,P9,O9,visa,2026-03-02 12:00:00,CET, Settled,P9,EUR,,1.00,1,EUR,,1.00,,,,,visa,,7,",
        "Shop,ShopEU,P9,O9,visa,2026-03-02 12:00:00,CET,Settled,P9,EUR,,1.00,1,EUR,,1.00,,,,,visa\t,,7,",
        "Shop,ShopEU,P9,O9,visa,2026-03-02 12:00:00,CET,Settled,P9,EUR,,1.00,1,EUR,,1.00,,,,,visa,,7,,x",
        ",,,,,,,,,,,,,,,,,,,,,,,",
    ],
    ids=["quoted", "edge-blank", "tab", "extra-field", "blank-row"],
)
def test_anything_not_plain_goes_to_the_general_reader(row: str) -> None:
    content = plain([*ROWS, row])
    assert fast_table(content.decode()) is None
    expected = outcome(general, content)
    assert outcome(adyen_table, content) == (
        expected if expected[0] == "rejected" else ("taken", SettlementTable.from_report(expected[1]))
    )
    assert outcome(parse_adyen, content) == expected


@pytest.mark.parametrize(
    ("amount", "reason"),
    [("10.005", "more decimals"), ('"1,000.00"', "not a decimal"), ("1E3", "not a decimal")],
)
def test_a_bad_amount_is_rejected_naming_its_line(amount: str, reason: str) -> None:
    bad = f"Shop,ShopEU,P9,O9,visa,2026-03-02 12:00:00,CET,Settled,P9,EUR,,{amount},1,EUR,,1.00,,,,,visa,,7,"
    content = plain([*ROWS[:2], bad, *ROWS[2:]])
    for parse in (parse_adyen, adyen_table):
        with pytest.raises(ParseError) as raised:
            parse(content)
        assert [p.line for p in raised.value.problems] == [4]
        assert reason in raised.value.problems[0].reason


def test_signed_and_short_amounts_are_read_exactly() -> None:
    row = "Shop,ShopEU,P9,O9,visa,2026-03-02 12:00:00,CET,Settled,P9,EUR,,-1.5,1,EUR,,.50,,,,,visa,,7,"
    content = plain([*ROWS, row])
    table = fast_table(content.decode())
    assert table is not None
    assert (table.gross_minor[-1], table.net_minor[-1]) == (-150, 50)
    assert _report(table) == general(content)


def test_a_wall_clock_not_in_its_zone_is_rejected_naming_its_line() -> None:
    row = "Shop,ShopEU,P9,O9,visa,2026-01-15 12:00:00,CEST,Settled,P9,EUR,,1.00,1,EUR,,1.00,,,,,visa,,7,"
    with pytest.raises(ParseError) as raised:
        adyen_table(plain([*ROWS, row]))
    assert [(p.line, p.field) for p in raised.value.problems] == [(10, "TimeZone")]


def test_samples_read_the_same_way_by_either_path() -> None:
    for path in sorted(SAMPLES.glob("*.csv")):
        report = parse_adyen(path.read_bytes())
        assert adyen_table(path.read_bytes()) == SettlementTable.from_report(report)
        # The same file without its one quoted field takes the column path and agrees with it.
        text = path.read_text(encoding="utf-8-sig")
        unquoted = "\n".join(
            line if '"' not in line else line.replace('"', "").replace(", ", " ")
            for line in text.splitlines()
        )
        table = fast_table(unquoted + "\n")
        assert table is not None, path.name
        assert _report(table) == general(unquoted.encode())
