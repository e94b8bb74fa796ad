import pytest
from canon.errors import ValidationError
from inventory.domain import Position


def test_available_to_sell_subtracts_every_commitment() -> None:
    position = Position(
        sku="LAMP", node="DC1", on_hand=20, reserved=3, allocated=4, damaged=2, safety_stock=5
    )
    assert position.net_available == 6
    assert position.available_to_sell == 6
    assert position.shortfall == 0
    assert position.sellable_on_hand == 18


def test_available_to_sell_is_never_shown_below_zero() -> None:
    position = Position(sku="LAMP", node="DC1", on_hand=5, reserved=4, allocated=2, safety_stock=1)
    assert position.net_available == -2
    assert position.available_to_sell == 0
    assert position.shortfall == 2


def test_in_transit_is_not_available() -> None:
    assert Position(sku="LAMP", node="DC1", in_transit=9).available_to_sell == 0


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"on_hand": -1}, "on_hand"),
        ({"reserved": -2}, "reserved"),
        ({"on_hand": 1, "damaged": 2}, "damaged"),
        ({"safety_stock": 1.5}, "safety_stock"),
        ({"sku": " "}, "sku"),
    ],
)
def test_position_invariants_name_the_field(fields: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as error:
        Position(**{"sku": "LAMP", "node": "DC1", **fields})  # type: ignore[arg-type]
    assert error.value.field == field
