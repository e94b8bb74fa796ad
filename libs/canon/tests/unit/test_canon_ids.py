import uuid

import pytest
from canon.errors import ValidationError
from canon.ids import NAMESPACE, deterministic_id, event_id_for, new_id


def test_deterministic_id_is_stable_uuid5_in_the_project_namespace() -> None:
    first = deterministic_id("pos", "store-12", "receipt-9")
    assert first == deterministic_id("pos", "store-12", "receipt-9")
    parsed = uuid.UUID(first)
    assert parsed.version == 5
    assert str(parsed) == first
    # Pinned: changing the namespace or encoding would change every id already published.
    assert str(NAMESPACE) == "6f1c2b7e-3d4a-5e8f-9a0b-7c6d5e4f3a21"
    assert first == str(uuid.uuid5(NAMESPACE, "3:pos8:store-129:receipt-9"))


@pytest.mark.parametrize(
    ("left", "right"),
    [
        (("a", "bc"), ("ab", "c")),
        (("a", ""), ("a",)),
        (("", "a"), ("a", "")),
        (("a|b",), ("a", "b")),
        (("1:a",), ("a",)),
        (("x", "y"), ("y", "x")),
    ],
)
def test_different_parts_give_different_ids(left: tuple[str, ...], right: tuple[str, ...]) -> None:
    assert deterministic_id(*left) != deterministic_id(*right)


def test_deterministic_id_needs_string_parts() -> None:
    with pytest.raises(ValidationError) as raised:
        deterministic_id()
    assert raised.value.field == "parts"
    with pytest.raises(ValidationError, match="part 1 must be a str"):
        deterministic_id("a", 1)  # type: ignore[arg-type]


def test_event_id_for_a_document_revision() -> None:
    resent = event_id_for("shopify", "order-1001", 2)
    assert resent == event_id_for("shopify", "order-1001", 2)
    assert resent == event_id_for("shopify", "order-1001", "2")
    assert resent != event_id_for("shopify", "order-1001", 3)
    assert resent != event_id_for("shopify", "order-100", "12")
    assert resent != event_id_for("pos", "order-1001", 2)
    assert resent == deterministic_id("event", "shopify", "order-1001", "2")


def test_event_id_for_refuses_blank_keys() -> None:
    with pytest.raises(ValidationError) as raised:
        event_id_for("", "doc", 1)
    assert raised.value.field == "source_system"
    with pytest.raises(ValidationError) as raised:
        event_id_for("pos", "doc", True)
    assert raised.value.field == "revision"


def test_new_id_is_a_unique_time_ordered_uuid7() -> None:
    ids = [new_id() for _ in range(200)]
    assert len(set(ids)) == 200
    parsed = [uuid.UUID(value) for value in ids]
    assert {value.version for value in parsed} == {7}
    assert {value.variant for value in parsed} == {uuid.RFC_4122}
    timestamps = [value.int >> 80 for value in parsed]
    assert timestamps == sorted(timestamps)
