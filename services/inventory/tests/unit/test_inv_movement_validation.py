from datetime import datetime
from typing import Any

import pytest
from canon.errors import ValidationError
from inventory.domain import Receipt, ReturnReceived, Ship, decode_movement


def test_decodes_a_json_record(build: Any) -> None:
    data = b'{"type":"receipt","idempotency_key":"k1","source_system":"wms",'
    data += b'"occurred_at":"2025-03-01T09:00:00Z","sku":"LAMP","node":"DC1","qty":4}'
    assert decode_movement(data) == build.receipt("k1", 0, 4)


@pytest.mark.parametrize(
    ("record", "field", "reason_part"),
    [
        ({"type": "teleport"}, "type", "unknown movement type"),
        ({"type": "receipt", "qty": -3}, "qty", "must be >= 1"),
        ({"type": "receipt", "qty": 0}, "qty", "must be >= 1"),
        ({"type": "receipt", "qty": "3"}, "qty", "Expected `int`"),
        ({"type": "receipt"}, "qty", "is required"),
        ({"type": "return_received", "qty": 1, "order_id": "o1"}, "disposition", "is required"),
        ({"type": "return_received", "qty": 1, "order_id": "o1", "disposition": "lost"}, "disposition", ""),
        ({"type": "return_received", "qty": 1, "disposition": "sellable"}, "order_id", "order_id or rma"),
        ({"type": "cycle_count", "counted_qty": -1}, "counted_qty", "must be >= 0"),
        (
            {"type": "transfer_shipped", "qty": 1, "destination_node": "DC1", "transfer_id": "t"},
            "destination_node",
            "",
        ),
        ({"type": "ship", "qty": 1}, "order_id", "is required"),
        ({"type": "receipt", "qty": 1, "occurred_at": "2025-03-01T09:00:00"}, "occurred_at", "UTC"),
        ({"type": "receipt", "qty": 1, "occurred_at": "2025-03-01T09:00:00+02:00"}, "occurred_at", "UTC"),
        ({"type": "receipt", "qty": 1, "idempotency_key": ""}, "idempotency_key", ""),
        ({"type": "damage_write_off", "qty": 1, "write_off_from": "shelf"}, "write_off_from", ""),
    ],
)
def test_bad_records_name_the_field(build: Any, record: dict[str, Any], field: str, reason_part: str) -> None:
    raw = {**build.record(record["type"]), **record}
    with pytest.raises(ValidationError) as error:
        decode_movement(raw)
    assert error.value.field == field
    assert reason_part in error.value.reason


def test_not_an_object_is_rejected_as_a_record() -> None:
    with pytest.raises(ValidationError) as error:
        decode_movement(b"[1, 2]")
    assert error.value.field == "record"
    with pytest.raises(ValidationError) as error:
        decode_movement(b"{not json")
    assert error.value.field == "record"


def test_construction_validates_too(build: Any) -> None:
    with pytest.raises(ValidationError) as error:
        Receipt(
            idempotency_key="k",
            source_system="wms",
            occurred_at=datetime(2025, 1, 1),
            sku="L",
            node="N",
            qty=1,
        )
    assert error.value.field == "occurred_at"
    with pytest.raises(ValidationError) as error:
        Ship(**build._common("k", 0, "LAMP", "DC1"), qty=True, order_id="o1")
    assert error.value.field == "qty"
    with pytest.raises(ValidationError) as error:
        ReturnReceived(**build._common("k", 0, "LAMP", "DC1"), qty=1, disposition="sellable")
    assert error.value.field == "order_id"


def test_reservation_must_expire_after_it_is_made(build: Any) -> None:
    with pytest.raises(ValidationError) as error:
        build.reserve("k", 10, 1, "r1", ttl_minutes=0)
    assert error.value.field == "expires_at"
