import msgspec
import pytest
from canon.errors import ValidationError
from canon.master.records import validation_error_from
from canon.master_data import FiscalCalendar, ItemCost, convert_record, decode_record
from canon.money import Money

ITEM_COST_JSON = (
    b'{"sku":"LAMP-01","legal_entity_id":"LE-US","unit_cost":{"amount_minor":1250,"currency":"USD"},'
    b'"effective_from":"2026-01-01T00:00:00Z"}'
)


def test_decode_record_from_json_bytes_and_dict() -> None:
    from_bytes = decode_record("item_cost", ITEM_COST_JSON)
    assert isinstance(from_bytes, ItemCost)
    assert from_bytes.unit_cost == Money(1250, "USD")
    assert decode_record("item_cost", msgspec.json.decode(ITEM_COST_JSON)) == from_bytes
    assert convert_record("item_cost", msgspec.json.decode(ITEM_COST_JSON)) == from_bytes


def test_convert_record_parses_dates_in_nested_periods() -> None:
    calendar = convert_record(
        "fiscal_calendar",
        {
            "legal_entity_id": "LE-UK",
            "fiscal_year": 2026,
            "periods": [{"period_id": "2026-04", "start": "2026-04-01", "end": "2026-04-30"}],
        },
    )
    assert isinstance(calendar, FiscalCalendar)
    assert calendar.periods[0].end.isoformat() == "2026-04-30"
    assert calendar.periods[0].status == "open"


@pytest.mark.parametrize(
    ("data", "field", "reason_part"),
    [
        (ITEM_COST_JSON.replace(b'"USD"', b'"XYZ"'), "unit_cost.currency", "unknown ISO 4217"),
        (ITEM_COST_JSON.replace(b'"currency":"USD"', b'"cur":"USD"'), "unit_cost.currency", "missing"),
        (ITEM_COST_JSON.replace(b"1250", b'"12.50"'), "unit_cost.amount_minor", "Expected `int`"),
        (ITEM_COST_JSON.replace(b'"LAMP-01"', b'""'), "sku", "must not be empty"),
        (ITEM_COST_JSON.replace(b'"sku":"LAMP-01",', b""), "sku", "missing required field"),
        (ITEM_COST_JSON.replace(b"00:00:00Z", b"00:00:00"), "effective_from", "timezone-aware"),
        (b"[1, 2]", "record", "Expected `object`, got `array`"),
        (b"{not json", "record", "malformed"),
    ],
)
def test_decode_errors_name_the_field_path(data: bytes, field: str, reason_part: str) -> None:
    with pytest.raises(ValidationError) as raised:
        decode_record("item_cost", data)
    assert raised.value.field == field
    assert reason_part in raised.value.reason


def test_decode_is_strict_about_json_types() -> None:
    with pytest.raises(ValidationError) as raised:
        decode_record("category", b'{"category_id": 7, "name": "Seven"}')
    assert raised.value.field == "category_id"


def test_nested_list_paths_are_kept() -> None:
    with pytest.raises(ValidationError) as raised:
        convert_record(
            "fiscal_calendar",
            {
                "legal_entity_id": "LE-UK",
                "fiscal_year": 2026,
                "periods": [
                    {"period_id": "a", "start": "2026-04-01", "end": "2026-04-30"},
                    {"period_id": "b", "start": "2026-05-01", "end": "2026-04-30"},
                ],
            },
        )
    assert raised.value.field == "periods[1].end"


def test_unknown_record_type() -> None:
    with pytest.raises(ValidationError) as raised:
        decode_record("supplier", b"{}")
    assert raised.value.field == "record_type"
    assert "known: item, category" in raised.value.reason


def test_validation_error_from_msgspec_message_shapes() -> None:
    class Probe(msgspec.Struct):
        value: int

    with pytest.raises(msgspec.ValidationError) as raised:
        msgspec.convert({"value": "x"}, Probe)
    converted = validation_error_from(raised.value)
    assert (converted.field, converted.reason) == ("value", "Expected `int`, got `str`")
