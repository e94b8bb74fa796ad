"""The ledger's fast deterministic ids are canon's, bit for bit."""

from __future__ import annotations

from canon import ids as canon_ids
from hypothesis import given
from hypothesis import strategies as st
from order_ledger.domain import ids


@given(st.lists(st.text(), min_size=1, max_size=5))
def test_same_ids_as_canon(parts: list[str]) -> None:
    assert ids.deterministic_id(*parts) == canon_ids.deterministic_id(*parts)


def test_known_journal_id() -> None:
    parts = ("journal", "pos", "B123", "1")
    assert ids.deterministic_id(*parts) == canon_ids.deterministic_id(*parts)
