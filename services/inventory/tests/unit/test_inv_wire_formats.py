"""Wire formats: the movement_submitted contract matches the domain's movements; outbox headers
equal the envelope's; snapshot CSV lines are named by line number; settings parse."""

from datetime import UTC, datetime
from typing import Any, get_args

import msgspec
import pytest
from canon.envelope import Envelope
from canon.errors import ValidationError
from canon.inventory import MovementSubmitted, MovementType, PositionChanged
from inventory.adapters.options import options_from_env
from inventory.adapters.postgres.outbox import envelope_headers, event_id
from inventory.application.snapshot_file import parse_snapshot_csv
from inventory.domain import Movement, decode_movement
from retail_platform.settings import SettingsError

T = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


def test_movement_submitted_covers_every_movement_type_and_field() -> None:
    domain_types = {str(t.__struct_config__.tag): t for t in get_args(Movement)}
    assert set(domain_types) == set(get_args(MovementType))
    contract_fields = set(MovementSubmitted.__struct_fields__)
    for movement_type in domain_types.values():
        assert set(movement_type.__struct_fields__) <= contract_fields, movement_type


def test_a_submitted_movement_decodes_to_the_domain_movement(build: Any) -> None:
    wire = MovementSubmitted(
        type="return_received", idempotency_key="k1", source_system="pos", occurred_at=T, sku="LAMP",
        node="ST1", qty=1, disposition="quarantine", rma="rma-1",
    )  # fmt: skip
    movement = decode_movement(msgspec.json.encode(wire))
    assert (type(movement).__name__, movement.qty, movement.disposition) == (
        "ReturnReceived",
        1,
        "quarantine",
    )  # type: ignore[union-attr]


def test_outbox_headers_are_the_envelope_headers() -> None:
    event = PositionChanged(
        sku="LAMP", node="DC1", on_hand=1, reserved=0, allocated=0, in_transit=0, damaged=0, safety_stock=0,
        available_to_sell=1,
    )  # fmt: skip
    headers = envelope_headers(event, "2026-01-05T12:00:00Z")
    envelope = Envelope(
        id=headers["ce-id"], type="retail.inventory.position_changed.v1", source="inventory", time=T,
        subject="LAMP@DC1", correlation_id=headers["ce-id"],
    )  # fmt: skip
    assert headers == envelope.to_headers() | {"ce-time": "2026-01-05T12:00:00Z"}
    assert Envelope.from_headers(headers).id == headers["ce-id"]
    assert event_id(event) != event_id(event)  # a position change gets a fresh id each time


def test_snapshot_csv_names_bad_lines() -> None:
    content = (
        b"sku,node,counted_qty,as_of\nLAMP,DC1,4,\nLAMP,ST1,-1,\nLAMP,DC2,x,\n"
        b"LAMP,DC3,2,2026-01-05T13:00:00Z\n"
    )
    lines = parse_snapshot_csv(content, "wms", T)
    assert [(n, type(line).__name__) for n, line in lines] == [
        (2, "Snapshot"), (3, "ValidationError"), (4, "ValidationError"), (5, "Snapshot"),
    ]  # fmt: skip
    assert (lines[1][1].field, lines[2][1].field) == ("counted_qty", "counted_qty")  # type: ignore[union-attr]
    assert lines[3][1].as_of == datetime(2026, 1, 5, 13, 0, tzinfo=UTC)  # type: ignore[union-attr]
    with pytest.raises(ValidationError, match="missing column"):
        parse_snapshot_csv(b"sku,counted_qty\nLAMP,1\n", "wms", T)
    with pytest.raises(ValidationError) as no_instant:
        parse_snapshot_csv(b"sku,node,counted_qty\nLAMP,DC1,1\n", "wms", None)
    assert no_instant.value.field == "as_of"


def test_options_come_from_the_environment() -> None:
    options = options_from_env(
        {"RETAIL_SYNC_INVENTORY_DRIFT_MAX_UNITS": "2", "RETAIL_SYNC_INVENTORY_PUBLISH_MOVEMENTS": "on"}
    )
    assert (options.drift_tolerance.max_units, options.publish_movements, options.reservation_workers) == (
        2,
        True,
        1,
    )
    with pytest.raises(SettingsError) as bad:
        options_from_env({"RETAIL_SYNC_INVENTORY_DRIFT_MAX_UNITS": "many"})
    assert bad.value.variable == "RETAIL_SYNC_INVENTORY_DRIFT_MAX_UNITS"


def test_the_outbox_relay_runs_in_a_child_process_unless_told_otherwise() -> None:
    assert options_from_env({}).outbox_relay == "process"
    assert options_from_env({"RETAIL_SYNC_INVENTORY_OUTBOX_RELAY": " Inline "}).outbox_relay == "inline"
    with pytest.raises(SettingsError) as bad:
        options_from_env({"RETAIL_SYNC_INVENTORY_OUTBOX_RELAY": "thread"})
    assert bad.value.variable == "RETAIL_SYNC_INVENTORY_OUTBOX_RELAY"
