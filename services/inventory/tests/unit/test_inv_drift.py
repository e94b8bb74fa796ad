"""Balancing snapshots against event-derived balances, with late events; drift rate by node."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from canon.inventory import DriftDetected
from canon.money import Money
from inventory.adapters.memory import InMemoryItemCosts, InMemoryUnitOfWork
from inventory.application.queries.drift_rate import GetDriftRates
from inventory.application.use_cases.ingest_snapshot import IngestSnapshot
from inventory.application.use_cases.record_movements import RecordMovements
from inventory.domain import (
    DriftTolerance,
    PositionKey,
    Snapshot,
    balance_as_of,
    compute_drift,
    drift_rate_by_node,
)

DC1 = PositionKey("LAMP", "DC1")
COST = Money(1000, "EUR")
TOLERANCE = DriftTolerance(max_units=3, max_value_minor=5000)


def snapshot(build: Any, counted: int, minute: int = 30, node: str = "DC1", source: str = "wms") -> Snapshot:
    return Snapshot(sku="LAMP", node=node, counted_qty=counted, as_of=build.at(minute), source=source)  # type: ignore[arg-type]


def test_balance_as_of_uses_only_movements_up_to_the_instant(build: Any) -> None:
    movements = [
        build.receipt("k1", 0, 10),
        build.ship("k2", 40, 4),
        build.ship("k3", 20, 3),
        build.count("c", 10, 8),
    ]
    assert balance_as_of(movements, "LAMP", "DC1", build.at(30)).on_hand == 5
    assert balance_as_of(movements, "LAMP", "DC1", build.at(10)).on_hand == 8
    assert balance_as_of(movements, "LAMP", "DC1", build.at(9)).on_hand == 10
    assert balance_as_of(movements, "LAMP", "DC1", build.at(50)).on_hand == 1


@pytest.mark.parametrize(
    ("counted", "derived", "cost", "tolerance", "action", "reason"),
    [
        (10, 10, COST, TOLERANCE, "none", ""),
        (8, 10, COST, TOLERANCE, "auto_adjust", ""),
        (14, 10, COST, TOLERANCE, "exception", "4 units exceeds 3"),
        (7, 10, Money(2000, "EUR"), TOLERANCE, "exception", "value 60.00 EUR exceeds 5000 minor units"),
        (9, 10, None, TOLERANCE, "exception", "no item cost to value the drift"),
        (9, 10, None, DriftTolerance(max_units=3), "auto_adjust", ""),
        (11, 10, COST, DriftTolerance(max_units=3, max_ratio=Decimal("0.05")), "exception", "1 of 10 units"),
        (1, 0, COST, DriftTolerance(max_units=3, max_ratio=Decimal("0.5")), "exception", "1 of 0 units"),
    ],
)
def test_compute_drift(
    build: Any,
    counted: int,
    derived: int,
    cost: Money | None,
    tolerance: DriftTolerance,
    action: str,
    reason: str,
) -> None:
    drift = compute_drift(snapshot(build, counted), derived, cost, tolerance)
    assert (drift.quantity, drift.action, drift.within_tolerance) == (
        counted - derived,
        action,
        action != "exception",
    )
    assert drift.value == (cost * (counted - derived) if cost else None)
    assert drift.reason.startswith(reason)


async def ingest_with_late_events(build: Any, counted: int) -> tuple[InMemoryUnitOfWork, Any]:
    uow = InMemoryUnitOfWork()
    record = RecordMovements(uow)
    await record([build.receipt("k1", 0, 20), build.ship("k2", 40, 2)])
    await record([build.ship("k3", 25, 5)])  # happened before the snapshot, arrived after later events
    outcome = await IngestSnapshot(uow, InMemoryItemCosts({"LAMP": COST}), TOLERANCE)(
        snapshot(build, counted)
    )
    return uow, outcome


async def test_small_drift_is_corrected_as_of_the_snapshot_instant(build: Any) -> None:
    uow, outcome = await ingest_with_late_events(build, counted=13)
    assert (outcome.drift.derived_qty, outcome.drift.quantity, outcome.drift.action) == (
        15,
        -2,
        "auto_adjust",
    )
    assert outcome.drift.value == Money(-2000, "EUR")
    # the count sets on hand at minute 30; the shipment at minute 40 still applies on top
    assert uow.state.positions[DC1].on_hand == 11
    assert not any(isinstance(e, DriftDetected) for e in uow.state.outbox)
    again = await IngestSnapshot(uow, InMemoryItemCosts({"LAMP": COST}), TOLERANCE)(snapshot(build, 13))
    assert again.duplicate
    assert uow.state.positions[DC1].on_hand == 11


async def test_large_drift_raises_an_exception_and_adjusts_nothing(build: Any) -> None:
    uow, outcome = await ingest_with_late_events(build, counted=9)
    assert (outcome.drift.quantity, outcome.drift.action) == (-6, "exception")
    assert uow.state.positions[DC1].on_hand == 13
    assert uow.state.outbox[-1] == DriftDetected(
        sku="LAMP", node="DC1", source="wms", as_of=build.at(30), counted_qty=9, derived_qty=15,
        quantity=-6, value=Money(-6000, "EUR"), reason="6 units exceeds 3",
    )  # fmt: skip


async def test_adjustment_that_contradicts_later_movements_becomes_an_exception(build: Any) -> None:
    uow = InMemoryUnitOfWork()
    await RecordMovements(uow)([build.receipt("k1", 0, 3), build.ship("k2", 40, 3)])
    outcome = await IngestSnapshot(uow, InMemoryItemCosts({"LAMP": COST}), TOLERANCE)(snapshot(build, 1))
    assert (outcome.drift.quantity, outcome.drift.action) == (-2, "exception")
    assert outcome.drift.reason.startswith("adjustment refused: qty:")
    assert uow.state.positions[DC1].on_hand == 0
    assert len(uow.state.movements) == 2


async def test_drift_rate_by_node_over_a_window(build: Any) -> None:
    uow = InMemoryUnitOfWork()
    await RecordMovements(uow)([build.receipt("k1", 0, 10), build.receipt("k2", 0, 4, node="ST1")])
    ingest = IngestSnapshot(uow, InMemoryItemCosts({"LAMP": COST}), TOLERANCE)
    await ingest(snapshot(build, 10, minute=10))
    await ingest(snapshot(build, 9, minute=20))
    await ingest(snapshot(build, 9, minute=21, source="erp"))
    await ingest(snapshot(build, 20, minute=22))
    await ingest(snapshot(build, 4, minute=10, node="ST1"))
    await ingest(snapshot(build, 0, minute=500, node="ST1"))  # outside the window
    rates = await GetDriftRates(uow)(build.at(0), build.at(60))
    dc1, st1 = rates["DC1"], rates["ST1"]
    # minute 20 is 1 short (auto-adjusted), so the ERP line at 21 agrees, and minute 22 is 11 over
    assert (dc1.lines, dc1.lines_with_drift, dc1.rate) == (4, 2, 0.5)
    assert (dc1.units, dc1.value) == (12, Money(12000, "EUR"))
    assert (st1.lines, st1.lines_with_drift, st1.rate, st1.units, st1.value) == (
        1,
        0,
        0.0,
        0,
        Money(0, "EUR"),
    )
    assert drift_rate_by_node([], build.at(0), build.at(0) + timedelta(days=1)) == {}
