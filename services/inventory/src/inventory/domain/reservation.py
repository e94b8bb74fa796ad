"""A reservation: stock promised to an order for a while (TTL)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Literal

import msgspec
from canon.ids import deterministic_id

from inventory.domain import _checks
from inventory.domain.movements import ReservationExpired
from inventory.domain.position import PositionKey

ReservationStatus = Literal["open", "released", "expired", "allocated", "shipped", "cancelled"]


class Reservation(msgspec.Struct, frozen=True, kw_only=True):
    """``open_qty`` is what still counts as reserved; it is 0 once the status is not "open"."""

    reservation_id: str
    sku: str
    node: str
    qty: int
    open_qty: int
    expires_at: datetime
    created_at: datetime
    status: ReservationStatus = "open"
    order_id: str | None = None

    def __post_init__(self) -> None:
        _checks.identifier("reservation_id", self.reservation_id)
        _checks.quantity("qty", self.qty, minimum=1)
        _checks.quantity("open_qty", self.open_qty, minimum=0)
        _checks.utc_instant("expires_at", self.expires_at)
        _checks.utc_instant("created_at", self.created_at)

    @property
    def key(self) -> PositionKey:
        return PositionKey(self.sku, self.node)

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    def is_due(self, now: datetime) -> bool:
        """Open and its TTL has run out at ``now``."""
        return self.is_open and self.expires_at <= now


def expiry_key(reservation_id: str) -> str:
    """One expiry per reservation: a rerun of the expiry job is a duplicate."""
    return deterministic_id("inventory", "reservation_expired", reservation_id)


def expire_due(
    reservations: Iterable[Reservation], now: datetime, source_system: str
) -> list[ReservationExpired]:
    """Expiry movements (occurring at ``now``) for the open reservations whose TTL has run out."""
    return [
        ReservationExpired(
            idempotency_key=expiry_key(reservation.reservation_id),
            source_system=source_system,
            occurred_at=now,
            sku=reservation.sku,
            node=reservation.node,
            reservation_id=reservation.reservation_id,
        )
        for reservation in sorted(reservations, key=lambda r: (r.expires_at, r.reservation_id))
        if reservation.is_due(now)
    ]
