"""Content hashing and the ParseError message shape."""

import hashlib

from connectors.errors import ParseError, RowProblem
from connectors.files import content_sha256


def test_content_hash_is_sha256_hex_of_the_exact_bytes():
    assert content_sha256(b"") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert content_sha256(b"a,b\n") == hashlib.sha256(b"a,b\n").hexdigest()
    assert content_sha256(b"a,b\n") != content_sha256(b"a,b\r\n")


def test_parse_error_lists_problems_in_line_order():
    error = ParseError(
        [
            RowProblem(line=9, field=None, reason="expected 30 fields, found 6"),
            RowProblem(line=7, field="Gross Credit (GC)", reason="not a decimal: 'abc'"),
        ],
        filename="batch_3.csv",
    )
    assert [problem.line for problem in error.problems] == [7, 9]
    assert str(error) == (
        "cannot take file 'batch_3.csv': 2 problem(s)\n"
        "line 7, field 'Gross Credit (GC)': not a decimal: 'abc'\n"
        "line 9: expected 30 fields, found 6"
    )
