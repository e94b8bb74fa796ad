"""The safety stock setter: ATS reflects it at once, each change is audited and published, a
repeat changes nothing, bad input names its field, and reservations respect the new setting."""

from datetime import UTC, datetime, timedelta

import pytest
from canon.errors import ValidationError
from canon.inventory import PositionChanged
from inventory.adapters.memory import FixedClock, InMemoryReferences, InMemoryUnitOfWork
from inventory.application.use_cases.record_movements import RecordMovements
from inventory.application.use_cases.reserve_stock import ReserveStock, ReserveStockCmd
from inventory.application.use_cases.set_safety_stock import SetSafetyStock, SetSafetyStockCmd
from inventory.domain import InsufficientStock, PositionKey, Receipt, replay
from inventory.domain.safety_stock import SafetyStockChange

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
DC1 = PositionKey("LAMP", "DC1")


def cmd(safety_stock: int, reason: str = "flash sale buffer", sku: str = "LAMP") -> SetSafetyStockCmd:
    return SetSafetyStockCmd(
        sku=sku, node="DC1", safety_stock=safety_stock, reason=reason, changed_by="api:planner"
    )


async def stocked(on_hand: int = 10) -> tuple[InMemoryUnitOfWork, SetSafetyStock]:
    uow = InMemoryUnitOfWork()
    receipt = Receipt(
        idempotency_key="receipt", source_system="wms", occurred_at=T0 - timedelta(hours=1),
        sku="LAMP", node="DC1", qty=on_hand,
    )  # fmt: skip
    await RecordMovements(uow)([receipt])
    uow.state.outbox.clear()
    return uow, SetSafetyStock(uow, FixedClock(T0), InMemoryReferences(skus=["LAMP"], nodes=["DC1"]))


async def test_setting_it_lowers_available_to_sell_is_audited_and_published() -> None:
    uow, set_safety_stock = await stocked()

    position = await set_safety_stock(cmd(3))

    assert (position.on_hand, position.safety_stock, position.available_to_sell) == (10, 3, 7)
    assert uow.state.positions[DC1] == position
    assert uow.state.safety_stock_changes == [
        SafetyStockChange(
            sku="LAMP", node="DC1", previous=0, safety_stock=3, reason="flash sale buffer",
            changed_by="api:planner", changed_at=T0,
        )
    ]  # fmt: skip
    [event] = uow.state.outbox
    assert isinstance(event, PositionChanged)
    assert (event.safety_stock, event.available_to_sell, event.on_hand) == (3, 7, 10)


async def test_the_same_value_again_changes_nothing() -> None:
    uow, set_safety_stock = await stocked()
    await set_safety_stock(cmd(3))
    commits = uow.commits

    await set_safety_stock(cmd(3, reason="again"))

    assert uow.commits == commits
    assert len(uow.state.safety_stock_changes) == 1
    assert len(uow.state.outbox) == 1


async def test_above_stock_leaves_a_shortfall_and_refuses_new_reservations() -> None:
    uow, set_safety_stock = await stocked(on_hand=10)
    reserve = ReserveStock(uow, FixedClock(T0))
    ttl = timedelta(minutes=5)
    await reserve(ReserveStockCmd(reservation_id="r1", sku="LAMP", node="DC1", qty=4, ttl=ttl))

    position = await set_safety_stock(cmd(8))

    assert (position.reserved, position.available_to_sell, position.shortfall) == (4, 0, 2)
    with pytest.raises(InsufficientStock):
        await reserve(ReserveStockCmd(reservation_id="r2", sku="LAMP", node="DC1", qty=1, ttl=ttl))
    assert uow.state.positions[DC1].reserved == 4


async def test_a_late_movement_refolds_with_the_current_setting() -> None:
    uow, set_safety_stock = await stocked(on_hand=10)
    await set_safety_stock(cmd(2))
    late = Receipt(
        idempotency_key="late", source_system="wms", occurred_at=T0 - timedelta(hours=2),
        sku="LAMP", node="DC1", qty=5,
    )  # fmt: skip

    await RecordMovements(uow)([late])

    position = uow.state.positions[DC1]
    assert (position.on_hand, position.safety_stock, position.available_to_sell) == (15, 2, 13)
    log = list(uow.state.movements.values())
    assert replay(DC1, log, safety_stock=2).position.quantities() == position.quantities()


@pytest.mark.parametrize(
    ("command", "field"),
    [(cmd(-1), "safety_stock"), (cmd(2, reason=" "), "reason"), (cmd(2, sku="NOPE"), "sku")],
)
async def test_bad_input_names_its_field_and_changes_nothing(command: SetSafetyStockCmd, field: str) -> None:
    uow, set_safety_stock = await stocked()
    before = uow.state.positions[DC1]

    with pytest.raises(ValidationError) as raised:
        await set_safety_stock(command)

    assert raised.value.field == field
    assert uow.state.positions[DC1] == before
    assert uow.state.safety_stock_changes == []
    assert uow.state.outbox == []
