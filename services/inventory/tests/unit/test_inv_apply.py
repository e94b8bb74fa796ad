"""One scenario per movement type: the positions after it and the events it produces."""

from typing import Any

import msgspec
import pytest
from canon.errors import ValidationError
from canon.inventory import MovementRecorded, PositionChanged, ReturnDisposed, Shipped
from inventory.domain import (
    InsufficientOnHand,
    InsufficientStock,
    Position,
    PositionKey,
    apply,
)
from inventory.domain import movements as mv

DC1 = PositionKey("LAMP", "DC1")
ST1 = PositionKey("LAMP", "ST1")


def stock(**quantities: int) -> dict[PositionKey, Position]:
    return {DC1: Position(sku="LAMP", node="DC1", **quantities)}


def quantities(position: Position) -> dict[str, int]:
    names = ("on_hand", "reserved", "allocated", "in_transit", "damaged")
    return {name: getattr(position, name) for name in names if getattr(position, name)}


def test_receipt_adds_on_hand_and_publishes(build: Any) -> None:
    applied = apply({}, build.receipt("k1", 5, 7))
    assert quantities(applied.positions[DC1]) == {"on_hand": 7}
    assert applied.positions[DC1].as_of == build.at(5)
    recorded, changed = applied.events
    assert isinstance(recorded, MovementRecorded)
    assert (recorded.movement_type, recorded.qty, recorded.idempotency_key) == ("receipt", 7, "k1")
    assert changed == PositionChanged(
        sku="LAMP", node="DC1", on_hand=7, reserved=0, allocated=0, in_transit=0, damaged=0,
        safety_stock=0, available_to_sell=7, shortfall=0, as_of=build.at(5),
    )  # fmt: skip


def test_transfer_shipped_changes_two_positions(build: Any) -> None:
    applied = apply(stock(on_hand=10), build.transfer_out("k1", 1, 4))
    assert quantities(applied.positions[DC1]) == {"on_hand": 6}
    assert quantities(applied.positions[ST1]) == {"in_transit": 4}
    assert [type(e).__name__ for e in applied.events] == [
        "MovementRecorded",
        "PositionChanged",
        "PositionChanged",
    ]


def test_transfer_shipped_needs_sellable_stock_at_the_source(build: Any) -> None:
    with pytest.raises(InsufficientOnHand) as error:
        apply(stock(on_hand=5, damaged=2), build.transfer_out("k1", 1, 4))
    assert (error.value.field, error.value.requested, error.value.on_hand) == ("qty", 4, 3)


def test_transfer_received_moves_in_transit_to_on_hand(build: Any) -> None:
    positions = {ST1: Position(sku="LAMP", node="ST1", in_transit=4)}
    applied = apply(positions, build.transfer_in("k2", 2, 3))
    assert quantities(applied.positions[ST1]) == {"on_hand": 3, "in_transit": 1}
    over_receipt = apply(positions, build.transfer_in("k3", 2, 6))
    assert quantities(over_receipt.positions[ST1]) == {"on_hand": 6}


def test_reservation_created_holds_stock(build: Any) -> None:
    applied = apply(stock(on_hand=10, safety_stock=2), build.reserve("k1", 1, 8, "r1"))
    assert applied.positions[DC1].reserved == 8
    assert applied.positions[DC1].available_to_sell == 0
    assert applied.reservation is not None
    assert (applied.reservation.open_qty, applied.reservation.status) == (8, "open")
    assert applied.reservation.expires_at == build.at(31)


def test_reservation_refused_when_it_would_oversell(build: Any) -> None:
    with pytest.raises(InsufficientStock) as error:
        apply(stock(on_hand=10, reserved=3, damaged=1, safety_stock=2), build.reserve("k1", 1, 5, "r1"))
    assert (error.value.sku, error.value.node, error.value.requested, error.value.available) == (
        "LAMP",
        "DC1",
        5,
        4,
    )


def test_replayed_reservation_id_is_a_no_op(build: Any) -> None:
    first = apply(stock(on_hand=10), build.reserve("k1", 1, 4, "r1"))
    again = apply(first.positions, build.reserve("k2", 2, 6, "r1"), first.reservation)
    assert again.positions[DC1].reserved == 4
    assert again.reservation == first.reservation
    assert [type(e).__name__ for e in again.events] == ["MovementRecorded"]


@pytest.mark.parametrize("kind", [mv.ReservationReleased, mv.ReservationExpired])
def test_release_and_expiry_give_back_the_open_quantity(build: Any, kind: type[Any]) -> None:
    reserved = apply(stock(on_hand=10), build.reserve("k1", 1, 4, "r1"))
    ending = kind(**build._common("k2", 2, "LAMP", "DC1"), reservation_id="r1")
    ended = apply(reserved.positions, ending, reserved.reservation)
    assert ended.positions[DC1].reserved == 0
    assert ended.reservation is not None
    assert (ended.reservation.status, ended.reservation.open_qty) == (
        "expired" if kind is mv.ReservationExpired else "released",
        0,
    )
    twice = apply(ended.positions, msgspec.structs.replace(ending, idempotency_key="k3"), ended.reservation)
    assert twice.positions[DC1].reserved == 0


def test_release_of_unknown_reservation_changes_nothing(build: Any) -> None:
    applied = apply(stock(on_hand=10, reserved=2), build.release("k1", 1, "nope"))
    assert quantities(applied.positions[DC1]) == {"on_hand": 10, "reserved": 2}
    assert applied.reservation is None


def test_allocation_moves_reserved_to_allocated(build: Any) -> None:
    reserved = apply(stock(on_hand=10), build.reserve("k1", 1, 4, "r1"))
    allocation = mv.Allocation(**build._common("k2", 2, "LAMP", "DC1"), qty=3, reservation_id="r1")
    allocated = apply(reserved.positions, allocation, reserved.reservation)
    assert quantities(allocated.positions[DC1]) == {"on_hand": 10, "reserved": 1, "allocated": 3}
    assert allocated.reservation is not None
    assert allocated.reservation.open_qty == 1
    too_much = msgspec.structs.replace(allocation, idempotency_key="k3", qty=2)
    with pytest.raises(ValidationError) as error:
        apply(allocated.positions, too_much, allocated.reservation)
    assert error.value.field == "qty"
    unknown = msgspec.structs.replace(allocation, idempotency_key="k4", reservation_id="r9")
    with pytest.raises(ValidationError) as error:
        apply(allocated.positions, unknown, None)
    assert error.value.field == "reservation_id"


def test_allocation_without_reservation_is_checked_against_available(build: Any) -> None:
    allocation = mv.Allocation(**build._common("k1", 2, "LAMP", "DC1"), qty=3)
    assert apply(stock(on_hand=3), allocation).positions[DC1].allocated == 3
    with pytest.raises(InsufficientStock):
        apply(stock(on_hand=3, reserved=1), allocation)


@pytest.mark.parametrize("kind", [mv.Pick, mv.Pack])
def test_pick_and_pack_are_recorded_without_quantity_change(build: Any, kind: type[Any]) -> None:
    movement = kind(**build._common("k1", 4, "LAMP", "DC1"), qty=2, order_id="o1")
    applied = apply(stock(on_hand=5, allocated=2), movement)
    assert quantities(applied.positions[DC1]) == {"on_hand": 5, "allocated": 2}
    assert applied.positions[DC1].as_of == build.at(4)
    assert [type(e).__name__ for e in applied.events] == ["MovementRecorded"]


def test_ship_takes_allocated_and_publishes_shipped(build: Any) -> None:
    applied = apply(stock(on_hand=10, allocated=3), build.ship("k1", 6, 5, order_id="o7"))
    assert quantities(applied.positions[DC1]) == {"on_hand": 5}
    shipped = [e for e in applied.events if isinstance(e, Shipped)]
    assert shipped == [
        Shipped(movement_id="k1", sku="LAMP", node="DC1", qty=5, order_id="o7", occurred_at=build.at(6))
    ]


def test_ship_takes_the_named_reservation_first(build: Any) -> None:
    reserved = apply(stock(on_hand=10, allocated=2), build.reserve("k1", 1, 3, "r1"))
    shipped = apply(reserved.positions, build.ship("k2", 2, 4, reservation_id="r1"), reserved.reservation)
    assert quantities(shipped.positions[DC1]) == {"on_hand": 6, "allocated": 1}
    assert shipped.reservation is not None
    assert (shipped.reservation.status, shipped.reservation.open_qty) == ("shipped", 0)


def test_ship_more_than_on_hand_is_refused(build: Any) -> None:
    with pytest.raises(InsufficientOnHand) as error:
        apply(stock(on_hand=4, damaged=1), build.ship("k1", 1, 4))
    assert (error.value.field, error.value.requested, error.value.on_hand) == ("qty", 4, 3)


def test_cancellation_releases_reservation_then_allocated(build: Any) -> None:
    reserved = apply(stock(on_hand=10, allocated=5), build.reserve("k1", 1, 2, "r1"))
    cancel = mv.Cancellation(
        **build._common("k2", 2, "LAMP", "DC1"), qty=3, order_id="o1", reservation_id="r1"
    )
    cancelled = apply(reserved.positions, cancel, reserved.reservation)
    assert quantities(cancelled.positions[DC1]) == {"on_hand": 10, "allocated": 4}
    assert cancelled.reservation is not None
    assert cancelled.reservation.status == "cancelled"
    over = msgspec.structs.replace(cancel, idempotency_key="k3", qty=50, reservation_id=None)
    assert quantities(apply(cancelled.positions, over).positions[DC1]) == {"on_hand": 10}


@pytest.mark.parametrize(
    ("disposition", "expected"),
    [
        ("sellable", {"on_hand": 5}),
        ("quarantine", {"on_hand": 5, "damaged": 2}),
        ("reverse_logistics", {"on_hand": 3}),
    ],
)
def test_return_disposition_decides_where_it_goes(
    build: Any, disposition: str, expected: dict[str, int]
) -> None:
    applied = apply(stock(on_hand=3), build.returned("k1", 2, 2, disposition))
    assert quantities(applied.positions[DC1]) == expected
    disposed = [e for e in applied.events if isinstance(e, ReturnDisposed)]
    assert disposed == [
        ReturnDisposed(
            movement_id="k1", sku="LAMP", node="DC1", qty=2, disposition=disposition,  # type: ignore[arg-type]
            occurred_at=build.at(2), order_id="o1",
        )
    ]  # fmt: skip


def test_cycle_count_sets_on_hand_and_caps_damaged(build: Any) -> None:
    applied = apply(stock(on_hand=10, damaged=4, reserved=2), build.count("k1", 3, 3))
    assert quantities(applied.positions[DC1]) == {"on_hand": 3, "damaged": 3, "reserved": 2}
    recorded = applied.events[0]
    assert isinstance(recorded, MovementRecorded)
    assert recorded.qty == 3


def test_damage_write_off_from_damaged_or_on_hand(build: Any) -> None:
    from_damaged = apply(stock(on_hand=10, damaged=3), build.write_off("k1", 1, 2, "damaged"))
    assert quantities(from_damaged.positions[DC1]) == {"on_hand": 8, "damaged": 1}
    from_on_hand = apply(stock(on_hand=10, damaged=3), build.write_off("k2", 1, 7, "on_hand"))
    assert quantities(from_on_hand.positions[DC1]) == {"on_hand": 3, "damaged": 3}
    with pytest.raises(ValidationError) as error:
        apply(stock(on_hand=10, damaged=3), build.write_off("k3", 1, 4, "damaged"))
    assert error.value.field == "qty"
    with pytest.raises(InsufficientOnHand):
        apply(stock(on_hand=10, damaged=3), build.write_off("k4", 1, 8, "on_hand"))
