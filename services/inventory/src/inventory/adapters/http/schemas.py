"""HTTP request and response bodies of the inventory API (/v1)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec
from canon.inventory import SnapshotSource
from canon.money import Money

from inventory.application.use_cases.record_movements import RecordOutcome
from inventory.domain.drift import Drift
from inventory.domain.drift_rate import NodeDriftRate
from inventory.domain.position import Position
from inventory.domain.reservation import Reservation, ReservationStatus

MAX_RECORDS = 5000


class MovementBatchRequest(msgspec.Struct, frozen=True, kw_only=True):
    records: Annotated[list[Any], msgspec.Meta(min_length=1, max_length=MAX_RECORDS)]
    """Movement records (see contracts/events/inventory/movement_submitted.v1.schema.json), each with
    ``type``, ``idempotency_key``, ``source_system``, ``occurred_at``, ``sku``, ``node`` and its fields."""


class MovementBatchResult(msgspec.Struct, frozen=True, kw_only=True):
    accepted: int
    duplicates: int
    rejected: int
    outcomes: list[RecordOutcome]
    """One per record, in order: ``index`` (0-based), status, and for a rejection the field and reason."""


class SnapshotLineIn(msgspec.Struct, frozen=True, kw_only=True):
    sku: str
    node: str
    counted_qty: int
    as_of: datetime | None = None


class SnapshotRequest(msgspec.Struct, frozen=True, kw_only=True):
    source: SnapshotSource
    as_of: datetime | None = None
    """The instant of the count, for lines that do not give their own."""
    lines: Annotated[list[Any], msgspec.Meta(min_length=1, max_length=MAX_RECORDS)]
    """``{sku, node, counted_qty, as_of?}`` objects; a bad one is named by its 1-based position."""


class ReserveRequest(msgspec.Struct, frozen=True, kw_only=True):
    reservation_id: str
    sku: str
    node: str
    qty: int
    ttl_seconds: Annotated[int, msgspec.Meta(ge=1, le=7 * 24 * 3600)] = 900
    order_id: str | None = None
    channel_id: str | None = None
    """Required for a key bound to channels: the node must serve it."""


class SafetyStockRequest(msgspec.Struct, frozen=True, kw_only=True):
    safety_stock: Annotated[int, msgspec.Meta(ge=0)]
    """Units held back from available to sell at this position."""
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
    """Why (kept in the audit trail with the key's owner and the time)."""


class ReservationView(msgspec.Struct, frozen=True, kw_only=True):
    reservation_id: str
    sku: str
    node: str
    qty: int
    open_qty: int
    status: ReservationStatus
    expires_at: datetime
    created_at: datetime
    order_id: str | None

    @classmethod
    def of(cls, reservation: Reservation) -> ReservationView:
        return cls(**msgspec.structs.asdict(reservation))


class PositionView(msgspec.Struct, frozen=True, kw_only=True):
    sku: str
    node: str
    on_hand: int
    reserved: int
    allocated: int
    in_transit: int
    damaged: int
    safety_stock: int
    available_to_sell: int
    shortfall: int
    as_of: datetime | None

    @classmethod
    def of(cls, p: Position) -> PositionView:
        return cls(
            sku=p.sku, node=p.node, on_hand=p.on_hand, reserved=p.reserved, allocated=p.allocated,
            in_transit=p.in_transit, damaged=p.damaged, safety_stock=p.safety_stock,
            available_to_sell=p.available_to_sell, shortfall=p.shortfall, as_of=p.as_of,
        )  # fmt: skip


class SkuAvailabilityView(msgspec.Struct, frozen=True, kw_only=True):
    sku: str
    available_to_sell: int
    by_node: dict[str, int]


class ChannelAvailabilityView(msgspec.Struct, frozen=True, kw_only=True):
    channel_id: str
    items: list[SkuAvailabilityView]


class DriftView(msgspec.Struct, frozen=True, kw_only=True):
    sku: str
    node: str
    source: SnapshotSource
    as_of: datetime
    counted_qty: int
    derived_qty: int
    quantity: int
    value: Money | None
    action: str
    reason: str

    @classmethod
    def of(cls, d: Drift) -> DriftView:
        return cls(
            sku=d.sku, node=d.node, source=d.source, as_of=d.as_of, counted_qty=d.counted_qty,
            derived_qty=d.derived_qty, quantity=d.quantity, value=d.value, action=d.action, reason=d.reason,
        )  # fmt: skip


class DriftRateView(msgspec.Struct, frozen=True, kw_only=True):
    node: str
    lines: int
    lines_with_drift: int
    rate: float
    units: int
    value: Money | None

    @classmethod
    def of(cls, r: NodeDriftRate) -> DriftRateView:
        return cls(
            node=r.node, lines=r.lines, lines_with_drift=r.lines_with_drift, rate=r.rate, units=r.units,
            value=r.value,
        )  # fmt: skip
