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


def _row(**fields: str) -> str:
    """A plain row of ROWS' layout with some fields replaced (by column name)."""
    values = dict(zip(HEADER.split(","), ROWS[0].split(","), strict=True))
    return ",".join({**values, **fields}.values())


@pytest.mark.parametrize(
    "content",
    [
        plain([*ROWS[:3], "", *ROWS[3:]]),
        plain(ROWS) + b"\n",
        plain([*ROWS[:3], ROWS[3] + ",", *ROWS[4:]]),
        plain([*ROWS[:3], ROWS[3].rsplit(",", 2)[0], *ROWS[4:]]),
        plain([*ROWS, _row(**{"Psp Reference": "P1\xa0"})]),
        plain([*ROWS, _row(Type="\u2003Settled")]),
        plain([*ROWS, _row(**{"Merchant Reference": "O1\x85"})]),
        plain([*ROWS, _row(**{"Modification Reference": "\u3000P1"})]),
        plain([*ROWS, _row(**{"Payment Method": "vi\rsa"})]),
        plain([*ROWS, _row(**{"Gross Credit (GC)": "99999999999999999999.00"})]),
    ],
    ids=[
        "blank-line-in-the-middle", "blank-line-at-the-end", "an-extra-empty-field", "a-short-row",
        "no-break-space-at-an-edge", "em-space-in-a-repeated-column", "next-line-at-an-edge",
        "ideographic-space-at-an-edge", "lone-cr", "more-digits-than-int64",
    ],
)  # fmt: skip
def test_what_pyarrow_would_read_differently_goes_to_the_general_reader(content: bytes) -> None:
    """pyarrow skips blank lines and stops at a wrong field count; Python's white space is not ASCII's."""
    assert fast_table(content.decode()) is None
    expected = outcome(general, content)
    assert outcome(adyen_table, content) == (
        expected if expected[0] == "rejected" else ("taken", SettlementTable.from_report(expected[1]))
    )
    assert outcome(parse_adyen, content) == expected


def test_a_blank_line_keeps_the_line_numbers_of_the_general_reader() -> None:
    bad = _row(**{"Net Currency": "ABC"})
    with pytest.raises(ParseError) as raised:
        adyen_table(plain([*ROWS[:2], "", bad]))
    assert [p.line for p in raised.value.problems] == [5]


def test_a_control_character_in_the_header_goes_to_the_general_reader() -> None:
    content = plain(ROWS).replace(b"Reserved4", b"Reserved4\t", 1)
    assert fast_table(content.decode()) is None
    assert adyen_table(content) == SettlementTable.from_report(general(content))


def test_lines_with_more_empty_fields_than_the_header_are_read_by_columns() -> None:
    header = HEADER.rsplit(",", 1)[0]  # no Reserved4: every line has one empty field past the header
    text = "\n".join([header, *ROWS]) + "\n"
    table = fast_table(text)
    assert table is not None
    assert _report(table) == general(text.encode())


def test_a_field_past_the_header_on_every_line_is_read_by_the_general_reader() -> None:
    header = HEADER.rsplit(",", 1)[0]
    content = ("\n".join([header, *ROWS[:-1], ROWS[-1] + "x"]) + "\n").encode()
    assert fast_table(content.decode()) is None
    with pytest.raises(ParseError) as raised:
        adyen_table(content)
    assert [(p.line, p.reason) for p in raised.value.problems] == [(9, "expected 23 fields, found 24")]


def test_each_zone_converts_its_own_wall_clocks() -> None:
    times = [
        ("CET", "2026-03-02 12:00:00"), ("UTC", "2026-03-02 12:00:00"),
        ("Europe/Amsterdam", "2026-03-29 03:30:00"), ("PST", "2026-03-02 12:00:00"),
        ("UTC", "2026-03-02 12:00:00"),
    ]  # fmt: skip
    rows = [
        _row(TimeZone=zone, **{"Creation Date": created, "Psp Reference": f"P{i}"})
        for i, (zone, created) in enumerate(times)
    ]
    table = fast_table(plain(rows).decode(), first_line=40)
    assert table is not None
    assert [t.isoformat() for t in table.booked_at] == [
        "2026-03-02T11:00:00+00:00", "2026-03-02T12:00:00+00:00", "2026-03-29T01:30:00+00:00",
        "2026-03-02T20:00:00+00:00", "2026-03-02T12:00:00+00:00",
    ]  # fmt: skip
    assert table.booked_at[1] is table.booked_at[4]  # one conversion per (wall clock, zone)
    assert table.line_number == list(range(40, 45))
    from_line_2 = fast_table(plain(rows).decode())
    assert from_line_2 is not None
    assert _report(from_line_2) == general(plain(rows))


def test_a_fee_row_whose_components_cancel_out_keeps_its_breakdown_fee() -> None:
    row = _row(Type="Fee", **{"Net Debit (NC)": "1.00", "Net Credit (NC)": "", "Commission (NC)": "-0.30",
                              "Markup (NC)": "0.30"})  # fmt: skip
    content = plain([*ROWS, row])
    table = fast_table(content.decode())
    assert table is not None
    assert table.fee_minor[-1] == 0
    assert _report(table) == general(content)
