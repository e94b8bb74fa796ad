"""Inventory settings beyond the platform's, from `RETAIL_SYNC_INVENTORY_<NAME>` variables.

DRIFT_MAX_UNITS (default 5), DRIFT_MAX_VALUE_MINOR (unset), DRIFT_MAX_RATIO (unset, e.g. 0.05):
the auto-correct tolerance (every set limit must hold). EXPIRY_INTERVAL_S (1): how often expired
reservations are looked for. RESERVATION_WORKERS (1: one transaction at a time gathers the most
callers on a hot sku), RESERVATION_BATCH_MAX (500): the batcher.
DRIFT_WINDOW_H (24): the window of the drift rate gauge. MOVEMENTS_ACK_WAIT_S (30): how long a
fetched movement may stay unacknowledged before NATS redelivers it (after a crash, the wait before
the movements that were in flight come back). PUBLISH_MOVEMENTS (false): also publish
`retail.inventory.movement_recorded.v1` for every accepted movement (the movements table is the
audit trail either way; on, the outbox relay has twice the events to publish).
OUTBOX_RELAY (process): where the outbox relay runs. `process`: a child process that `serve` starts,
restarts and stops (`python -m inventory relay`), so publishing runs on another core than the
consumers and the API; `inline`: a loop inside the serving process; `external`: not started by
`serve` (run `python -m inventory relay` as its own container).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Literal

from retail_platform.settings import SettingsError

from inventory.domain.drift import DriftTolerance

PREFIX = "RETAIL_SYNC_INVENTORY_"
RelayMode = Literal["process", "inline", "external"]
RELAY_MODES: tuple[RelayMode, ...] = ("process", "inline", "external")


@dataclass(frozen=True)
class InventoryOptions:
    drift_tolerance: DriftTolerance = field(default_factory=lambda: DriftTolerance(max_units=5))
    expiry_interval_s: float = 1.0
    reservation_workers: int = 1
    reservation_batch_max: int = 500
    drift_window: timedelta = timedelta(hours=24)
    movements_ack_wait_s: float = 30.0
    publish_movements: bool = False
    outbox_relay: RelayMode = "process"


def options_from_env(environ: Mapping[str, str] = os.environ) -> InventoryOptions:
    def read(name: str, default: str | None) -> str | None:
        value = environ.get(PREFIX + name)
        return value.strip() if value and value.strip() else default

    def number(name: str, default: str | None, kind: type[int] | type[float] | type[Decimal]) -> object:
        raw = read(name, default)
        if raw is None:
            return None
        try:
            value = kind(raw)
        except (ValueError, InvalidOperation):
            raise SettingsError(PREFIX + name, f"not a number: {raw!r}") from None
        if value < 0:
            raise SettingsError(PREFIX + name, "must not be negative")
        return value

    def flag(name: str, default: bool) -> bool:
        raw = (read(name, None) or str(default)).lower()
        if raw not in ("true", "false", "1", "0", "yes", "no", "on", "off"):
            raise SettingsError(PREFIX + name, f"not a boolean: {raw!r}")
        return raw in ("true", "1", "yes", "on")

    relay = (read("OUTBOX_RELAY", "process") or "process").lower()
    if relay not in RELAY_MODES:
        raise SettingsError(PREFIX + "OUTBOX_RELAY", f"one of {', '.join(RELAY_MODES)}, not {relay!r}")
    tolerance = DriftTolerance(
        max_units=number("DRIFT_MAX_UNITS", "5", int),  # type: ignore[arg-type]
        max_value_minor=number("DRIFT_MAX_VALUE_MINOR", None, int),  # type: ignore[arg-type]
        max_ratio=number("DRIFT_MAX_RATIO", None, Decimal),  # type: ignore[arg-type]
    )
    return InventoryOptions(
        drift_tolerance=tolerance,
        expiry_interval_s=number("EXPIRY_INTERVAL_S", "1", float),  # type: ignore[arg-type]
        reservation_workers=max(1, number("RESERVATION_WORKERS", "1", int)),  # type: ignore[call-overload]
        reservation_batch_max=max(1, number("RESERVATION_BATCH_MAX", "500", int)),  # type: ignore[call-overload]
        drift_window=timedelta(hours=number("DRIFT_WINDOW_H", "24", float)),  # type: ignore[arg-type]
        movements_ack_wait_s=max(1.0, number("MOVEMENTS_ACK_WAIT_S", "30", float)),  # type: ignore[call-overload]
        publish_movements=flag("PUBLISH_MOVEMENTS", default=False),
        outbox_relay=relay,
    )
