"""Shared builders for inventory unit tests: ``build.<movement>(key, minute, ...)``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from inventory.domain import movements as mv

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def at(minute: int) -> datetime:
    return T0 + timedelta(minutes=minute)


class Builder:
    """Movements at ``at(minute)`` for sku LAMP at node DC1 unless told otherwise."""

    def __init__(self) -> None:
        self.at = at

    def _common(self, key: str, minute: int, sku: str, node: str) -> dict[str, Any]:
        return {
            "idempotency_key": key,
            "source_system": "wms",
            "occurred_at": at(minute),
            "sku": sku,
            "node": node,
        }

    def receipt(self, key: str, minute: int, qty: int, sku: str = "LAMP", node: str = "DC1") -> mv.Receipt:
        return mv.Receipt(**self._common(key, minute, sku, node), qty=qty)

    def ship(
        self,
        key: str,
        minute: int,
        qty: int,
        order_id: str = "o1",
        reservation_id: str | None = None,
        node: str = "DC1",
    ) -> mv.Ship:
        common = self._common(key, minute, "LAMP", node)
        return mv.Ship(**common, qty=qty, order_id=order_id, reservation_id=reservation_id)

    def reserve(
        self, key: str, minute: int, qty: int, reservation_id: str, ttl_minutes: int = 30, node: str = "DC1"
    ) -> mv.ReservationCreated:
        return mv.ReservationCreated(
            **self._common(key, minute, "LAMP", node),
            qty=qty,
            reservation_id=reservation_id,
            expires_at=at(minute + ttl_minutes),
        )

    def release(self, key: str, minute: int, reservation_id: str) -> mv.ReservationReleased:
        return mv.ReservationReleased(
            **self._common(key, minute, "LAMP", "DC1"), reservation_id=reservation_id
        )

    def count(self, key: str, minute: int, counted: int, node: str = "DC1") -> mv.CycleCount:
        return mv.CycleCount(**self._common(key, minute, "LAMP", node), counted_qty=counted)

    def transfer_out(
        self, key: str, minute: int, qty: int, to: str = "ST1", node: str = "DC1"
    ) -> mv.TransferShipped:
        common = self._common(key, minute, "LAMP", node)
        return mv.TransferShipped(**common, qty=qty, destination_node=to, transfer_id="t1")

    def transfer_in(self, key: str, minute: int, qty: int, node: str = "ST1") -> mv.TransferReceived:
        return mv.TransferReceived(**self._common(key, minute, "LAMP", node), qty=qty, transfer_id="t1")

    def returned(self, key: str, minute: int, qty: int, disposition: str) -> mv.ReturnReceived:
        common = self._common(key, minute, "LAMP", "DC1")
        return mv.ReturnReceived(**common, qty=qty, disposition=disposition, order_id="o1")  # type: ignore[arg-type]

    def write_off(
        self, key: str, minute: int, qty: int, write_off_from: str = "damaged"
    ) -> mv.DamageWriteOff:
        common = self._common(key, minute, "LAMP", "DC1")
        return mv.DamageWriteOff(**common, qty=qty, write_off_from=write_off_from)  # type: ignore[arg-type]

    def record(self, type_: str, key: str = "k1", minute: int = 0, **fields: Any) -> dict[str, Any]:
        """A raw JSON-like record, as a batch would carry it."""
        common = self._common(key, minute, "LAMP", "DC1")
        return {"type": type_, **common, "occurred_at": common["occurred_at"].isoformat(), **fields}


@pytest.fixture
def build() -> Builder:
    return Builder()
