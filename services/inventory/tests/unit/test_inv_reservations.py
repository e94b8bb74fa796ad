"""Reserve / release / expire: never oversell, replays change nothing, TTL gives stock back."""

from datetime import UTC, datetime, timedelta

import pytest
from canon.errors import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st
from inventory.adapters.memory import FixedClock, InMemoryUnitOfWork
from inventory.application.use_cases.expire_reservations import ExpireReservations
from inventory.application.use_cases.record_movements import RecordMovements
from inventory.application.use_cases.release_reservation import ReleaseReservation, ReleaseReservationCmd
from inventory.application.use_cases.reserve_stock import ReserveStock, ReserveStockCmd
from inventory.domain import InsufficientStock, Position, PositionKey, Receipt, expire_due

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
DC1 = PositionKey("LAMP", "DC1")


def reserve_cmd(reservation_id: str, qty: int, ttl_minutes: int = 15) -> ReserveStockCmd:
    return ReserveStockCmd(
        reservation_id=reservation_id, sku="LAMP", node="DC1", qty=qty, ttl=timedelta(minutes=ttl_minutes)
    )


async def setup(on_hand: int = 10, safety_stock: int = 0) -> tuple[InMemoryUnitOfWork, FixedClock]:
    """Safety stock is a setting; on hand comes from a receipt an hour earlier, so re-folds see it."""
    uow = InMemoryUnitOfWork(positions=[Position(sku="LAMP", node="DC1", safety_stock=safety_stock)])
    if on_hand:
        receipt = Receipt(
            idempotency_key="receipt", source_system="wms", occurred_at=T0 - timedelta(hours=1),
            sku="LAMP", node="DC1", qty=on_hand,
        )  # fmt: skip
        await RecordMovements(uow)([receipt])
    return uow, FixedClock(T0)


async def test_reserve_holds_stock_and_expires_after_ttl() -> None:
    uow, clock = await setup()
    reservation = await ReserveStock(uow, clock)(reserve_cmd("r1", 4))
    assert (reservation.open_qty, reservation.expires_at, reservation.status) == (
        4,
        T0 + timedelta(minutes=15),
        "open",
    )
    assert uow.state.positions[DC1].available_to_sell == 6
    assert uow.committed


async def test_refused_above_available_and_nothing_committed() -> None:
    uow, clock = await setup(on_hand=10, safety_stock=2)
    await ReserveStock(uow, clock)(reserve_cmd("r1", 5))
    commits = uow.commits
    with pytest.raises(InsufficientStock) as error:
        await ReserveStock(uow, clock)(reserve_cmd("r2", 4))
    assert (error.value.requested, error.value.available) == (4, 3)
    assert not uow.committed
    assert uow.commits == commits
    assert uow.state.positions[DC1].reserved == 5
    assert "r2" not in uow.state.reservations


async def test_replayed_reservation_is_a_no_op() -> None:
    uow, clock = await setup()
    first = await ReserveStock(uow, clock)(reserve_cmd("r1", 4))
    clock.advance(timedelta(minutes=1))
    again = await ReserveStock(uow, clock)(reserve_cmd("r1", 7))
    assert again == first
    assert uow.state.positions[DC1].reserved == 4
    assert len(uow.state.movements) == 2


async def test_flash_sale_never_oversells() -> None:
    uow, clock = await setup(on_hand=25, safety_stock=5)
    reserve = ReserveStock(uow, clock)
    accepted = 0
    for buyer in range(100):
        try:
            await reserve(reserve_cmd(f"r{buyer}", 1))
            accepted += 1
        except InsufficientStock:
            pass
    assert accepted == 20
    position = uow.state.positions[DC1]
    assert (position.reserved, position.available_to_sell, position.shortfall) == (20, 0, 0)


async def test_release_gives_stock_back_once() -> None:
    uow, clock = await setup()
    await ReserveStock(uow, clock)(reserve_cmd("r1", 4))
    release = ReleaseReservation(uow, clock)
    released = await release(ReleaseReservationCmd(reservation_id="r1"))
    assert (released.status, released.open_qty) == ("released", 0)
    assert uow.state.positions[DC1].reserved == 0
    assert (await release(ReleaseReservationCmd(reservation_id="r1"))).status == "released"
    assert uow.state.positions[DC1].reserved == 0
    with pytest.raises(ValidationError) as error:
        await release(ReleaseReservationCmd(reservation_id="nope"))
    assert error.value.field == "reservation_id"


async def test_expire_due_only_expired_open_reservations() -> None:
    uow, clock = await setup()
    reserve = ReserveStock(uow, clock)
    await reserve(reserve_cmd("short", 2, ttl_minutes=5))
    await reserve(reserve_cmd("long", 3, ttl_minutes=60))
    await reserve(reserve_cmd("gone", 1, ttl_minutes=5))
    await ReleaseReservation(uow, clock)(ReleaseReservationCmd(reservation_id="gone"))
    clock.advance(timedelta(minutes=5))
    assert await ExpireReservations(uow, clock)() == ["short"]
    assert await ExpireReservations(uow, clock)() == []
    assert uow.state.positions[DC1].reserved == 3
    assert uow.state.reservations["short"].status == "expired"
    assert uow.state.reservations["long"].status == "open"
    assert [m.sku for m in expire_due(uow.state.reservations.values(), clock.now(), "inventory")] == []


async def test_expired_stock_can_be_reserved_again() -> None:
    uow, clock = await setup(on_hand=3)
    reserve = ReserveStock(uow, clock)
    await reserve(reserve_cmd("r1", 3, ttl_minutes=1))
    with pytest.raises(InsufficientStock):
        await reserve(reserve_cmd("r2", 1))
    clock.advance(timedelta(minutes=1))
    await ExpireReservations(uow, clock)()
    assert (await reserve(reserve_cmd("r2", 3))).open_qty == 3


operations = st.lists(
    st.one_of(
        st.tuples(st.just("reserve"), st.integers(0, 9), st.integers(1, 6)),
        st.tuples(st.just("release"), st.integers(0, 9), st.just(0)),
        st.tuples(st.just("tick"), st.just(0), st.integers(1, 20)),
    ),
    max_size=40,
)


@settings(max_examples=60, deadline=None)
@given(operations=operations, on_hand=st.integers(0, 15))
async def test_reservations_never_oversell(operations: list[tuple[str, int, int]], on_hand: int) -> None:
    uow, clock = await setup(on_hand=on_hand, safety_stock=1)
    reserve, release, expire = (
        ReserveStock(uow, clock),
        ReleaseReservation(uow, clock),
        ExpireReservations(uow, clock),
    )
    for kind, which, amount in operations:
        try:
            if kind == "reserve":
                await reserve(reserve_cmd(f"r{which}", amount))
            elif kind == "release":
                await release(ReleaseReservationCmd(reservation_id=f"r{which}"))
            else:
                clock.advance(timedelta(minutes=amount))
                await expire()
        except ValidationError:
            pass
        position = uow.state.positions[DC1]
        assert position.reserved == 0 or position.net_available >= 0
        open_qty = sum(r.open_qty for r in uow.state.reservations.values() if r.status == "open")
        assert position.reserved == open_qty
