"""record_batch / ReserveStockBatch: one transaction, same result as one by one; ties and late events."""

from datetime import timedelta
from typing import Any

from canon.inventory import PositionChanged
from inventory.adapters.memory import FixedClock, InMemoryReferences, InMemoryUnitOfWork
from inventory.application.use_cases.record_movements import RecordMovements
from inventory.application.use_cases.reserve_stock import ReserveStockCmd
from inventory.application.use_cases.reserve_stock_batch import ReserveStockBatch
from inventory.domain import InsufficientStock, PositionKey, is_late, replay

DC1 = PositionKey("LAMP", "DC1")


def reserve(n: int, qty: int = 1, sku: str = "LAMP") -> ReserveStockCmd:
    return ReserveStockCmd(reservation_id=f"r{n}", sku=sku, node="DC1", qty=qty, ttl=timedelta(minutes=5))


async def test_batch_equals_one_by_one_with_duplicates_and_a_late_event(build: Any) -> None:
    movements = [
        build.receipt("k1", 0, 10),
        build.ship("k2", 5, 3),
        build.receipt("k1", 0, 10),  # duplicate inside the batch
        build.count("k3", 2, 6),  # late: before the shipment, after the receipt
        build.ship("k4", 6, 50),  # rejected, the batch goes on
        build.receipt("k5", 7, 1),
    ]
    together, apart = InMemoryUnitOfWork(), InMemoryUnitOfWork()
    batch = await RecordMovements(together)(movements)
    for movement in movements:
        await RecordMovements(apart)([movement])
    assert [o.status for o in batch.outcomes] == [
        "accepted", "accepted", "duplicate", "accepted", "rejected", "accepted",
    ]  # fmt: skip
    assert together.state.positions == apart.state.positions
    assert together.state.positions[DC1].on_hand == 4  # counted 6 at minute 2, -3, +1
    assert together.commits == 1
    assert replay(DC1, list(together.state.movements.values())).position == together.state.positions[DC1]


async def test_unknown_sku_and_node_are_named_and_retryable(build: Any) -> None:
    uow = InMemoryUnitOfWork()
    record = RecordMovements(uow, references=InMemoryReferences(skus={"LAMP"}, nodes={"DC1", "ST1"}))
    outcome = await record(
        [
            build.receipt("k1", 0, 1, sku="GHOST"),
            build.receipt("k2", 0, 1, node="XX"),
            build.transfer_out("k3", 1, 1, to="YY"),
        ]
    )
    assert [(o.status, o.field, o.retryable) for o in outcome.outcomes] == [
        ("rejected", "sku", True),
        ("rejected", "node", True),
        ("rejected", "destination_node", True),
    ]
    assert outcome.outcomes[0].reason == "unknown sku 'GHOST' (not in master data)"
    assert not uow.committed


async def test_reservation_batch_never_oversells_and_replays(build: Any) -> None:
    uow = InMemoryUnitOfWork()
    await RecordMovements(uow)([build.receipt("stock", -60, 3)])
    batch = ReserveStockBatch(uow, FixedClock(build.at(0)))
    outcomes = await batch([reserve(1), reserve(2, qty=2), reserve(3), reserve(1)])
    assert [o.reservation.open_qty if o.reservation else None for o in outcomes] == [1, 2, None, 1]
    assert isinstance(outcomes[2].error, InsufficientStock)
    assert (outcomes[0].replayed, outcomes[3].replayed) == (False, True)
    assert uow.state.positions[DC1].available_to_sell == 0
    again = await batch([reserve(2, qty=2)])
    assert again[0].replayed
    assert uow.state.positions[DC1].reserved == 3


async def test_one_position_changed_per_position_per_transaction(build: Any) -> None:
    uow = InMemoryUnitOfWork()
    await RecordMovements(uow)(
        [build.receipt("k1", 0, 5), build.receipt("k2", 1, 5), build.receipt("k3", 1, 2, node="ST1")]
    )
    changed = [e for e in uow.state.outbox if isinstance(e, PositionChanged)]
    assert [(e.node, e.on_hand) for e in changed] == [("DC1", 10), ("ST1", 2)]


def test_a_tie_with_as_of_is_late_only_behind_a_count_at_that_instant(build: Any) -> None:
    counted = replay(DC1, [build.receipt("k1", 0, 5), build.count("c1", 3, 4)]).position
    received = replay(DC1, [build.receipt("k1", 3, 5)]).position
    assert (counted.count_at_as_of, received.count_at_as_of) == (True, False)
    assert is_late(counted, build.receipt("k2", 3, 1))  # sorts before the count at minute 3
    assert not is_late(counted, build.count("c2", 3, 9))  # counts at one instant keep their order
    assert not is_late(received, build.receipt("k2", 3, 1))  # recorded last, sorts last
    assert is_late(received, build.receipt("k2", 2, 1))


async def test_the_hooks_come_after_the_locks_and_before_the_first_write_even_a_late_one(build: Any) -> None:
    from inventory.application.use_cases.recording_batch import record_batch

    uow = InMemoryUnitOfWork()
    async with uow:
        await RecordMovements(uow)([build.receipt("k0", 5, 10)])
    steps: list[str] = []
    locking, appending = uow.positions.get_many, uow.movements.append

    async def get_many(keys: Any, *, for_update: bool = False) -> Any:
        steps.append("lock" if for_update else "read")
        return await locking(keys, for_update=for_update)

    async def append(movement: Any) -> bool:
        steps.append("write")
        return await appending(movement)

    async def before_writes() -> None:
        steps.append("gate")

    async with uow:
        uow.positions.get_many, uow.movements.append = get_many, append  # type: ignore[method-assign]
        late = build.receipt("k1", 1, 2)  # before k0: re-folded, written by record_movement
        results = await record_batch(
            uow, [late], on_locked=lambda: steps.append("locked"), before_writes=before_writes
        )
    assert [r.status for r in results] == ["accepted"]
    assert steps[:3] == ["lock", "locked", "gate"]
    assert steps.count("gate") == 1
    assert "write" in steps[steps.index("gate") :]
