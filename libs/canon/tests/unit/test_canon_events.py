from datetime import UTC, datetime

import msgspec
import pytest
from canon.errors import DuplicateEventType, ValidationError
from canon.event_type import CATALOGUE
from canon.events import (
    MASTER_RECORD_TYPES,
    EventType,
    ItemUpserted,
    all_event_types,
    lookup,
    master_event_type,
    register,
    upserted,
)
from canon.master_data import Category, Item

CHANGED_AT = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)
LAMP = Item(sku="LAMP-01", name="Desk lamp", category_id="LIGHTING", attributes={"colour": "black"})

MASTER_SUBJECTS = [
    "retail.master.item_upserted.v1",
    "retail.master.category_upserted.v1",
    "retail.master.tax_code_upserted.v1",
    "retail.master.item_cost_upserted.v1",
    "retail.master.node_upserted.v1",
    "retail.master.channel_upserted.v1",
    "retail.master.gl_account_upserted.v1",
    "retail.master.accounting_dimension_upserted.v1",
    "retail.master.legal_entity_upserted.v1",
    "retail.master.fiscal_calendar_upserted.v1",
]


class Probe(msgspec.Struct, frozen=True, kw_only=True):
    value: int


def test_master_event_subjects() -> None:
    assert [master_event_type(name).subject for name in MASTER_RECORD_TYPES] == MASTER_SUBJECTS
    subjects = [event_type.subject for event_type in all_event_types()]
    assert set(MASTER_SUBJECTS) <= set(subjects)
    assert subjects == sorted(subjects)
    assert all(CATALOGUE[subject].type == subject for subject in MASTER_SUBJECTS)


def test_item_upserted_round_trip() -> None:
    item_upserted = master_event_type("item")
    payload = upserted(LAMP, version=3, changed_at=CHANGED_AT)
    assert payload == ItemUpserted(
        record_type="item", key="LAMP-01", version=3, changed_at=CHANGED_AT, record=LAMP
    )
    data = item_upserted.encode(payload)
    assert msgspec.json.decode(data)["record"]["attributes"] == {"colour": "black"}
    assert item_upserted.decode(data) == payload


def test_decode_is_strict_and_names_the_payload() -> None:
    item_upserted = master_event_type("item")
    data = item_upserted.encode(upserted(LAMP, version=1, changed_at=CHANGED_AT))
    with pytest.raises(ValidationError) as raised:
        item_upserted.decode(data.replace(b'"version":1', b'"version":"1"'))
    assert raised.value.field == "payload"
    assert raised.value.reason == "Expected `int`, got `str` - at `$.version`"
    with pytest.raises(ValidationError, match="malformed"):
        item_upserted.decode(b"{not json")


def test_encode_refuses_another_payload_type() -> None:
    category = upserted(Category(category_id="C", name="C"), version=1, changed_at=CHANGED_AT)
    with pytest.raises(ValidationError) as raised:
        master_event_type("item").encode(category)
    assert raised.value.field == "payload"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"record_type": "category"}, "record_type"),
        ({"key": "OTHER"}, "key"),
        ({"version": 0}, "version"),
        ({"changed_at": datetime(2026, 1, 1)}, "changed_at"),
    ],
)
def test_upserted_payload_is_consistent_with_its_record(fields: dict[str, object], field: str) -> None:
    values: dict[str, object] = {
        "record_type": "item",
        "key": "LAMP-01",
        "version": 1,
        "changed_at": CHANGED_AT,
        "record": LAMP,
        **fields,
    }
    with pytest.raises(ValidationError) as raised:
        ItemUpserted(**values)  # type: ignore[arg-type]
    assert raised.value.field == field


def test_unknown_master_record_type() -> None:
    with pytest.raises(ValidationError) as raised:
        master_event_type("supplier")
    assert raised.value.field == "record_type"


def test_event_type_names_and_partitions() -> None:
    probe = EventType(context="testing", name="probe_seen", version=2, payload=Probe, description="probe")
    assert probe.subject == probe.type == "retail.testing.probe_seen.v2"
    assert probe.schema_path == "events/testing/probe_seen.v2.schema.json"
    assert probe.subject_for("SKU-1", "DC1") == "retail.testing.probe_seen.v2.SKU-1.DC1"
    with pytest.raises(ValidationError) as raised:
        probe.subject_for("a.b")
    assert raised.value.field == "partition_tokens[0]"
    assert probe.json_schema()["$ref"] == "#/$defs/Probe"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"context": "Master"}, "context"),
        ({"name": "item-upserted"}, "name"),
        ({"version": 0}, "version"),
        ({"payload": dict}, "payload"),
        ({"description": ""}, "description"),
    ],
)
def test_event_type_definition_is_checked(fields: dict[str, object], field: str) -> None:
    values: dict[str, object] = {
        "context": "testing",
        "name": "probe_seen",
        "version": 1,
        "payload": Probe,
        "description": "probe",
        **fields,
    }
    with pytest.raises(ValidationError) as raised:
        EventType(**values)  # type: ignore[arg-type]
    assert raised.value.field == field


def test_register_refuses_a_duplicate_subject() -> None:
    probe = EventType(context="testing", name="registry_probe", version=1, payload=Probe, description="p")
    try:
        assert register(probe) is probe
        assert lookup("retail.testing.registry_probe.v1.partition") is probe
        with pytest.raises(DuplicateEventType):
            register(
                EventType(context="testing", name="registry_probe", version=1, payload=Probe, description="x")
            )
        assert CATALOGUE[probe.subject] is probe
    finally:
        CATALOGUE.pop(probe.subject, None)


def test_lookup_of_unknown_or_malformed_types() -> None:
    with pytest.raises(ValidationError, match="unknown event type"):
        lookup("retail.nowhere.nothing.v1")
    with pytest.raises(ValidationError, match="not an event subject"):
        lookup("item_upserted")


def test_envelope_for_an_event_type() -> None:
    envelope = master_event_type("item").envelope(
        "/retail-sync/master_data", subject="LAMP-01", time=CHANGED_AT
    )
    assert envelope.type == "retail.master.item_upserted.v1"
    assert envelope.subject == "LAMP-01"
    assert envelope.correlation_id == envelope.id
