"""Background loops: expiring reservations whose TTL ran out, refreshing the drift rate gauges."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta

from retail_platform.logging import get_logger

from inventory.adapters import metrics
from inventory.application.queries.drift_rate import GetDriftRates
from inventory.application.use_cases.expire_reservations import ExpireReservations

log = get_logger(__name__)


async def _pause(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


async def expiry_loop(expire: ExpireReservations, stop: asyncio.Event, interval_s: float) -> None:
    """Expire what is due; go again at once while a run finds a full batch."""
    while not stop.is_set():
        try:
            expired = await expire()
            metrics.RESERVATIONS_EXPIRED.inc(len(expired))
            if expired:
                log.info("reservations_expired", count=len(expired))
                continue
        except Exception:
            log.exception("reservation_expiry_failed")
        await _pause(stop, interval_s)


async def drift_rate_loop(
    rates: GetDriftRates, stop: asyncio.Event, window: timedelta, interval_s: float = 30.0
) -> None:
    """The ``inventory_drift_rate`` and ``inventory_drift_units`` gauges over the trailing window."""
    while not stop.is_set():
        try:
            end = datetime.now(UTC)
            for node, rate in (await rates(end - window, end)).items():
                metrics.DRIFT_RATE.labels(node).set(rate.rate)
                metrics.DRIFT_UNITS.labels(node).set(rate.units)
        except Exception:
            log.exception("drift_rate_refresh_failed")
        await _pause(stop, interval_s)
