"""The retail.inventory.* payloads are registered in the canon catalogue and round-trip."""

from datetime import UTC, datetime

import pytest
from canon.errors import ValidationError
from canon.events import all_event_types, lookup
from canon.inventory import (
    DRIFT_DETECTED,
    MOVEMENT_RECORDED,
    POSITION_CHANGED,
    RETURN_DISPOSED,
    SHIPPED,
    ReturnDisposed,
    Shipped,
    event_type_for,
    partition_tokens,
)
from canon.money import Money

AT = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def test_inventory_subjects_are_in_the_catalogue() -> None:
    subjects = {event_type.subject for event_type in all_event_types()}
    assert {
        "retail.inventory.position_changed.v1",
        "retail.inventory.shipped.v1",
        "retail.inventory.return_disposed.v1",
        "retail.inventory.drift_detected.v1",
        "retail.inventory.movement_recorded.v1",
    } <= subjects
    assert lookup("retail.inventory.shipped.v1.LAMP.DC1") is SHIPPED
    for event_type in (POSITION_CHANGED, RETURN_DISPOSED, DRIFT_DETECTED, MOVEMENT_RECORDED):
        assert lookup(event_type.subject) is event_type


def test_shipped_round_trips_with_unit_cost() -> None:
    shipped = Shipped(
        movement_id="k1",
        sku="LAMP",
        node="DC1",
        qty=2,
        order_id="o1",
        occurred_at=AT,
        unit_cost=Money(1250, "EUR"),
    )
    data = SHIPPED.encode(shipped)
    assert SHIPPED.decode(data) == shipped
    assert event_type_for(shipped) is SHIPPED
    assert SHIPPED.subject_for(*partition_tokens(shipped)) == "retail.inventory.shipped.v1.LAMP.DC1"


def test_return_disposed_needs_a_reference_and_a_known_disposition() -> None:
    with pytest.raises(ValidationError) as error:
        ReturnDisposed(movement_id="k", sku="L", node="N", qty=1, disposition="sellable", occurred_at=AT)
    assert error.value.field == "order_id"
    with pytest.raises(ValidationError) as error:
        RETURN_DISPOSED.decode(
            b'{"movement_id":"k","sku":"L","node":"N","qty":1,"disposition":"lost",'
            b'"occurred_at":"2025-03-01T09:00:00Z","rma":"R1"}'
        )
    assert error.value.field == "payload"
