"""The Adyen column reader (the bulk path for plain files) against the general row reader, on generated files.

For any file, either the column reader declines it (and the row reader takes it, exactly as before), or both
read the same lines: the column path never accepts a row the row reader would reject, never rejects one it
would take, and never reads a value differently. Fields are drawn from values that are valid, nearly valid
and hostile (signs, short decimals, Unicode digits, blanks at the edges, quotes, tabs, commas, bad zones).
"""

from __future__ import annotations

import os

import pytest
from connectors._parsing import ProblemLog
from connectors.errors import ParseError
from connectors.settlement import adyen_table
from connectors.settlement._adyen_columns import fast_table
from connectors.settlement.adyen import _parse_rows, _report
from connectors.settlement.table import SettlementTable
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

HEADER = (
    "Company Account,Merchant Account,Psp Reference,Merchant Reference,Payment Method,Creation Date,TimeZone,"
    "Type,Modification Reference,Gross Currency,Gross Debit (GC),Gross Credit (GC),Exchange Rate,"
    "Net Currency,Net Debit (NC),Net Credit (NC),Commission (NC),Markup (NC),Scheme Fees (NC),"
    "Interchange (NC),Payment Method Variant,Modification Merchant Reference,Batch Number"
)
PLAIN_AMOUNTS = st.one_of(
    st.sampled_from(["", "", "", "1.00", "0.50", "12.34", "0.00"]),
    st.from_regex(r"[0-9]{1,5}\.[0-9]{2}", fullmatch=True),
)
ODD_AMOUNTS = st.one_of(
    st.sampled_from(["0.5", "-2.00", "+3.10", "10", ".5", "1.", "1.005", "1e3", " 1.00", "1.00 ", "NaN"]),
    st.sampled_from(["\u0661.\u0660\u0660", "1\xa0000", "\u0663", "1.0.0", "--1"]),
    st.from_regex(r"-?[0-9]{1,5}(\.[0-9]{0,4})?", fullmatch=True),
)
TEXT = st.text(alphabet='Pab09 ,."\t\xa0é-', max_size=5)
REFERENCE = st.from_regex(r"[A-Z][0-9A-Z-]{0,8}", fullmatch=True)
# Per field: (plain values, odd or hostile values).
FIELDS = {
    "Psp Reference": (st.one_of(REFERENCE, st.just("")), TEXT),
    "Merchant Reference": (st.one_of(REFERENCE, st.just("")), TEXT),
    "Creation Date": (
        st.sampled_from(["2026-03-02 12:00:00", "2026-03-29 02:30:00", "2026-10-25 02:30:00"]),
        st.sampled_from(
            ["2026-3-2 12:00:00", "", " 2026-03-02 12:00:00", "2026-13-01 00:00:00", "2026-03-02T12:00:00"]
        ),
    ),
    "TimeZone": (
        st.sampled_from(["UTC", "CET", "PST", "Europe/Amsterdam", "utc"]),
        st.sampled_from(["", "XYZ", " utc", "CEST"]),
    ),
    "Type": (
        st.sampled_from(
            ["Settled", "Refunded", "Chargeback", "Fee", "MerchantPayout", "InvoiceDeduction", "X"]
        ),
        st.sampled_from(["", " Fee", "Fee\t"]),
    ),
    "Modification Reference": (st.one_of(REFERENCE, st.just("")), TEXT),
    "Gross Currency": (st.sampled_from(["EUR", "eur", ""]), st.sampled_from(["JPY", "BHD", "XXX", " EUR"])),
    "Gross Debit (GC)": (PLAIN_AMOUNTS, ODD_AMOUNTS),
    "Gross Credit (GC)": (PLAIN_AMOUNTS, ODD_AMOUNTS),
    "Exchange Rate": (st.sampled_from(["1", "", "0.5"]), st.sampled_from([" 1", "1 "])),
    "Net Currency": (st.sampled_from(["EUR", "usd"]), st.sampled_from(["", "ABC", "EUR ", "JPY"])),
    "Net Debit (NC)": (PLAIN_AMOUNTS, ODD_AMOUNTS),
    "Net Credit (NC)": (PLAIN_AMOUNTS, ODD_AMOUNTS),
    "Commission (NC)": (PLAIN_AMOUNTS, ODD_AMOUNTS),
    "Markup (NC)": (PLAIN_AMOUNTS, ODD_AMOUNTS),
    "Scheme Fees (NC)": (PLAIN_AMOUNTS, ODD_AMOUNTS),
    "Interchange (NC)": (PLAIN_AMOUNTS, ODD_AMOUNTS),
    "Batch Number": (st.sampled_from(["7", "8"]), st.sampled_from(["", " 7"])),
}


@st.composite
def row(draw: st.DrawFn) -> str:
    """Mostly plain fields; now and then an odd or hostile one."""
    values = []
    for name in HEADER.split(","):
        plain, odd = FIELDS.get(name, (st.just("x"), st.sampled_from(["", "a,b", "\t"])))
        values.append(draw(odd if draw(st.integers(0, 120)) == 0 else plain))
    return ",".join(values)


@settings(
    max_examples=int(os.environ.get("RETAIL_SYNC_FUZZ_EXAMPLES", "300")),
    derandomize="RETAIL_SYNC_FUZZ_EXAMPLES" not in os.environ,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(rows=st.lists(row(), min_size=1, max_size=6), crlf=st.booleans())
def test_the_column_reader_agrees_with_the_row_reader(rows: list[str], crlf: bool) -> None:
    newline = "\r\n" if crlf else "\n"
    text = newline.join([HEADER, *rows]) + newline
    try:
        expected, problems = _parse_rows(text, ProblemLog()), None
    except ParseError as error:
        expected, problems = None, error.problems
    table = fast_table(text.replace("\r\n", "\n"))
    if table is not None:
        assert problems is None, problems
        assert _report(table) == expected
    if problems is not None:
        with pytest.raises(ParseError) as raised:
            adyen_table(text.encode())
        assert raised.value.problems == problems
        return
    assert expected is not None
    taken = adyen_table(text.encode())
    if taken.raw_json is None:
        assert _report(taken) == expected
    else:
        assert taken == SettlementTable.from_report(expected)
