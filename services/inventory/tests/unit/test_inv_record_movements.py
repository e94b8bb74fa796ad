"""RecordMovements: per-record outcomes, late events, events in the outbox."""

from typing import Any

from canon.inventory import MovementRecorded, PositionChanged, Shipped
from canon.money import Money
from inventory.adapters.memory import InMemoryItemCosts, InMemoryUnitOfWork
from inventory.application.use_cases.record_movements import RecordMovements, RecordOutcome
from inventory.domain import Position, PositionKey, replay

DC1 = PositionKey("LAMP", "DC1")


def on_hand(uow: InMemoryUnitOfWork, key: PositionKey = DC1) -> int:
    return uow.state.positions[key].on_hand


async def test_good_records_are_kept_when_others_are_bad(build: Any) -> None:
    uow = InMemoryUnitOfWork()
    records = [
        build.record("receipt", "k1", 0, qty=10),
        build.record("teleport", "k2", 1, qty=1),
        build.record("return_received", "k3", 2, qty=1, order_id="o1"),
        build.record("receipt", "k4", 3, qty=-2),
        build.record("ship", "k5", 4, qty=11, order_id="o1"),
        build.record("ship", "k6", 5, qty=4, order_id="o1"),
        build.record("receipt", "k1", 0, qty=10),
    ]
    outcome = await RecordMovements(uow)(records)
    assert [(o.index, o.status, o.idempotency_key, o.field) for o in outcome.outcomes] == [
        (0, "accepted", "k1", None),
        (1, "rejected", "k2", "type"),
        (2, "rejected", "k3", "disposition"),
        (3, "rejected", "k4", "qty"),
        (4, "rejected", "k5", "qty"),
        (5, "accepted", "k6", None),
        (6, "duplicate", "k1", None),
    ]
    assert outcome.outcomes[4] == RecordOutcome(
        index=4, status="rejected", idempotency_key="k5", field="qty",
        reason="11 of LAMP leaving DC1, only 10 sellable on hand", retryable=True,
    )  # fmt: skip
    assert (outcome.count("accepted"), outcome.count("duplicate"), len(outcome.rejected)) == (2, 1, 4)
    assert on_hand(uow) == 6
    assert list(uow.state.movements) == ["k1", "k6"]


async def test_outbox_gets_the_events_with_unit_cost_on_shipments(build: Any) -> None:
    uow = InMemoryUnitOfWork()
    costs = InMemoryItemCosts({"LAMP": Money(1250, "EUR")})
    await RecordMovements(uow, costs)([build.receipt("k1", 0, 5), build.ship("k2", 1, 2, order_id="o9")])
    kinds = [type(event).__name__ for event in uow.state.outbox]
    # one PositionChanged per position per transaction, with its state at commit
    assert kinds == ["MovementRecorded", "MovementRecorded", "Shipped", "PositionChanged"]
    assert (uow.state.outbox[-1].on_hand, uow.state.outbox[-1].as_of) == (3, build.at(1))  # type: ignore[union-attr]
    shipped = uow.state.outbox[2]
    assert shipped == Shipped(
        movement_id="k2", sku="LAMP", node="DC1", qty=2, order_id="o9", occurred_at=build.at(1),
        unit_cost=Money(1250, "EUR"),
    )  # fmt: skip


async def test_duplicate_publishes_nothing(build: Any) -> None:
    uow = InMemoryUnitOfWork()
    await RecordMovements(uow)([build.receipt("k1", 0, 5)])
    outbox_before = list(uow.state.outbox)
    outcome = await RecordMovements(uow)([build.receipt("k1", 0, 5)])
    assert outcome.outcomes[0].status == "duplicate"
    assert uow.state.outbox == outbox_before
    assert on_hand(uow) == 5


async def test_late_event_before_a_count_is_absorbed_after_it_applies(build: Any) -> None:
    uow = InMemoryUnitOfWork()
    record = RecordMovements(uow)
    await record([build.receipt("k1", 0, 10), build.count("c1", 10, 7), build.receipt("k2", 20, 5)])
    assert on_hand(uow) == 12
    # a shipment that happened before the count arrives late: the count already saw it
    assert (await record([build.ship("k3", 5, 3)])).outcomes[0].status == "accepted"
    assert on_hand(uow) == 12
    # a shipment after the count arrives late: it applies on top of the count
    assert (await record([build.ship("k4", 15, 2)])).outcomes[0].status == "accepted"
    assert on_hand(uow) == 10
    assert uow.state.positions[DC1].as_of == build.at(20)
    last = uow.state.outbox[-1]
    assert isinstance(last, PositionChanged)
    assert (last.on_hand, last.as_of) == (10, build.at(20))


async def test_late_event_that_would_break_a_later_one_is_rejected(build: Any) -> None:
    uow = InMemoryUnitOfWork()
    record = RecordMovements(uow)
    await record([build.receipt("k1", 0, 5), build.ship("k2", 30, 5)])
    outcome = await record([build.ship("k3", 10, 1)])
    assert (outcome.outcomes[0].status, outcome.outcomes[0].field) == ("rejected", "qty")
    assert on_hand(uow) == 0
    assert "k3" not in uow.state.movements
    assert not uow.committed


async def test_live_positions_equal_a_rebuild_from_the_log(build: Any) -> None:
    uow = InMemoryUnitOfWork(positions=[Position(sku="LAMP", node="ST1", safety_stock=1)])
    movements = [
        build.receipt("k1", 0, 10),
        build.transfer_out("k2", 5, 4),
        build.reserve("k3", 6, 3, "r1"),
        build.transfer_in("k4", 8, 4),
        build.count("k5", 4, 9),  # late at DC1: the count saw the receipt, the transfer comes after
        build.ship("k6", 7, 2, reservation_id="r1"),
        build.receipt("k7", 2, 1, node="ST1"),  # late at the store
    ]
    outcome = await RecordMovements(uow)(movements)
    assert [o.status for o in outcome.outcomes] == ["accepted"] * 7
    log = list(uow.state.movements.values())
    for key, position in uow.state.positions.items():
        rebuilt = replay(key, log, safety_stock=position.safety_stock)
        assert rebuilt.position == position
    dc1, st1 = uow.state.positions[DC1], uow.state.positions[PositionKey("LAMP", "ST1")]
    assert (dc1.on_hand, dc1.reserved) == (3, 1)
    assert (st1.on_hand, st1.in_transit, st1.safety_stock) == (5, 0, 1)
    assert uow.state.reservations["r1"].open_qty == 1
    recorded = [e.idempotency_key for e in uow.state.outbox if isinstance(e, MovementRecorded)]
    assert recorded == ["k1", "k2", "k3", "k4", "k5", "k6", "k7"]
