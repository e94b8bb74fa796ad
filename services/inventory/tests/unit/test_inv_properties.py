"""Properties over random movement streams with duplicates and out-of-order delivery."""

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from inventory.adapters.memory import InMemoryUnitOfWork
from inventory.application.use_cases.record_movements import RecordMovements
from inventory.domain import Position, PositionKey, in_order, replay
from inventory.domain import movements as mv

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
DC1, ST1 = PositionKey("LAMP", "DC1"), PositionKey("LAMP", "ST1")
KINDS = [
    "receipt",
    "ship",
    "transfer_out",
    "transfer_in",
    "reserve",
    "release",
    "count",
    "return",
    "write_off",
]


def make(index: int, kind: str, minute: int, qty: int, which: int) -> mv.Movement:
    common: dict[str, Any] = {
        "idempotency_key": f"k{index}",
        "source_system": "wms",
        "occurred_at": T0 + timedelta(minutes=minute),
        "sku": "LAMP",
        "node": "DC1",
    }
    match kind:
        case "receipt":
            return mv.Receipt(**common, qty=qty)
        case "ship":
            return mv.Ship(**common, qty=qty, order_id=f"o{which}")
        case "transfer_out":
            return mv.TransferShipped(**common, qty=qty, destination_node="ST1", transfer_id=f"t{which}")
        case "transfer_in":
            return mv.TransferReceived(**{**common, "node": "ST1"}, qty=qty, transfer_id=f"t{which}")
        case "reserve":
            expires_at = common["occurred_at"] + timedelta(hours=1)
            return mv.ReservationCreated(**common, qty=qty, reservation_id=f"r{which}", expires_at=expires_at)
        case "release":
            return mv.ReservationReleased(**common, reservation_id=f"r{which}")
        case "count":
            return mv.CycleCount(**common, counted_qty=qty * 2)
        case "return":
            disposition = ("sellable", "quarantine", "reverse_logistics")[which % 3]
            return mv.ReturnReceived(**common, qty=qty, disposition=disposition, rma=f"rma{which}")
        case _:
            return mv.DamageWriteOff(**common, qty=qty, write_off_from="damaged")


specs = st.lists(
    st.tuples(st.sampled_from(KINDS), st.integers(0, 12), st.integers(1, 6), st.integers(0, 3)), max_size=30
)


@st.composite
def deliveries(draw: st.DrawFn) -> tuple[list[mv.Movement], list[mv.Movement]]:
    """The distinct movements, and a delivery: shuffled, with some sent again."""
    movements = [make(index, *spec) for index, spec in enumerate(draw(specs))]
    repeats = draw(st.lists(st.sampled_from(movements), max_size=8)) if movements else []
    return movements, draw(st.permutations(movements + repeats))


def expected(key: PositionKey, accepted: list[mv.Movement]) -> Position:
    """The formula, written independently of ``apply``: on hand is the last count plus the deltas
    after it; reserved is what is still open; in transit and damaged follow their rules in order."""
    ordered = [m for m in in_order(accepted) if key in mv.affected_keys(m)]
    counts = [i for i, m in enumerate(ordered) if isinstance(m, mv.CycleCount)]
    start = counts[-1] + 1 if counts else 0
    on_hand = ordered[counts[-1]].counted_qty if counts else 0  # type: ignore[union-attr]
    for m in ordered[start:]:
        stocked_return = isinstance(m, mv.ReturnReceived) and m.disposition != "reverse_logistics"
        if isinstance(m, mv.Receipt | mv.TransferReceived) or stocked_return:
            on_hand += m.qty
        elif isinstance(m, mv.Ship | mv.DamageWriteOff) or (
            isinstance(m, mv.TransferShipped) and m.node == key.node
        ):
            on_hand -= m.qty
    open_reservations: dict[str, int] = {}
    in_transit = damaged = 0
    for m in ordered:
        if isinstance(m, mv.ReservationCreated):
            open_reservations.setdefault(m.reservation_id, m.qty)
        elif isinstance(m, mv.ReservationReleased) and m.reservation_id in open_reservations:
            open_reservations[m.reservation_id] = 0  # releasing an unknown reservation changes nothing
        elif isinstance(m, mv.TransferShipped) and m.destination_node == key.node:
            in_transit += m.qty
        elif isinstance(m, mv.TransferReceived):
            in_transit = max(0, in_transit - m.qty)
        elif isinstance(m, mv.ReturnReceived) and m.disposition == "quarantine":
            damaged += m.qty
        elif isinstance(m, mv.DamageWriteOff):
            damaged -= m.qty
        elif isinstance(m, mv.CycleCount):
            damaged = min(damaged, m.counted_qty)
    return Position(
        sku=key.sku,
        node=key.node,
        on_hand=on_hand,
        reserved=sum(open_reservations.values()),
        in_transit=in_transit,
        damaged=damaged,
        as_of=(as_of := max((m.occurred_at for m in ordered), default=None)),
        count_at_as_of=any(isinstance(m, mv.CycleCount) and m.occurred_at == as_of for m in ordered),
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(delivery=deliveries(), chunk=st.integers(1, 5))
async def test_live_processing_matches_the_formula_and_a_rebuild(
    delivery: tuple[list[mv.Movement], list[mv.Movement]], chunk: int
) -> None:
    _, delivered = delivery
    uow = InMemoryUnitOfWork()
    record = RecordMovements(uow)
    seen: set[str] = set()
    for start in range(0, len(delivered), chunk):
        batch = delivered[start : start + chunk]
        outcomes = (await record(batch)).outcomes
        for movement, outcome in zip(batch, outcomes, strict=True):
            if movement.idempotency_key in seen:
                assert outcome.status == "duplicate"
            elif outcome.status == "accepted":
                seen.add(movement.idempotency_key)
            else:
                assert (outcome.status, outcome.field) == ("rejected", "qty")
    log = list(uow.state.movements.values())
    assert {m.idempotency_key for m in log} == seen
    for key in (DC1, ST1):
        live = uow.state.positions.get(key)
        rebuilt = replay(key, log)
        if live is None:
            assert rebuilt.position == Position.empty(key)
            continue
        assert live == rebuilt.position
        assert live == expected(key, log)
        stored = {rid: r for rid, r in uow.state.reservations.items() if r.key == key}
        assert stored == rebuilt.reservations
        assert live.reserved == sum(r.open_qty for r in stored.values())

    # the accepted movements, delivered once in order, are all accepted and give the same positions
    again = InMemoryUnitOfWork()
    outcomes = (await RecordMovements(again)(in_order(log))).outcomes
    assert {o.status for o in outcomes} <= {"accepted"}
    assert again.state.positions == uow.state.positions
