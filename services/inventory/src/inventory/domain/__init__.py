"""Inventory domain: positions, movements, reservations, balancing. Pure: stdlib, msgspec, canon."""

from inventory.domain.apply import Applied, apply, apply_to_position
from inventory.domain.availability import ChannelAvailability, channel_availability
from inventory.domain.decoding import decode_movement
from inventory.domain.drift import (
    Drift,
    DriftTolerance,
    Snapshot,
    adjustment_for,
    compute_drift,
    drift_detected,
)
from inventory.domain.drift_rate import NodeDriftRate, drift_rate_by_node
from inventory.domain.errors import InsufficientOnHand, InsufficientStock, UnknownReference
from inventory.domain.movements import (
    Allocation,
    Cancellation,
    CycleCount,
    DamageWriteOff,
    Movement,
    Pack,
    Pick,
    Receipt,
    ReservationCreated,
    ReservationExpired,
    ReservationReleased,
    ReturnReceived,
    Ship,
    TransferReceived,
    TransferShipped,
    affected_keys,
)
from inventory.domain.ordering import balance_as_of, in_order, is_late, ordering_key, replay
from inventory.domain.position import Position, PositionKey
from inventory.domain.reservation import Reservation, expire_due

__all__ = [
    "Allocation",
    "Applied",
    "Cancellation",
    "ChannelAvailability",
    "CycleCount",
    "DamageWriteOff",
    "Drift",
    "DriftTolerance",
    "InsufficientOnHand",
    "InsufficientStock",
    "Movement",
    "NodeDriftRate",
    "Pack",
    "Pick",
    "Position",
    "PositionKey",
    "Receipt",
    "Reservation",
    "ReservationCreated",
    "ReservationExpired",
    "ReservationReleased",
    "ReturnReceived",
    "Ship",
    "Snapshot",
    "TransferReceived",
    "TransferShipped",
    "UnknownReference",
    "adjustment_for",
    "affected_keys",
    "apply",
    "apply_to_position",
    "balance_as_of",
    "channel_availability",
    "compute_drift",
    "decode_movement",
    "drift_detected",
    "drift_rate_by_node",
    "expire_due",
    "in_order",
    "is_late",
    "ordering_key",
    "replay",
]
