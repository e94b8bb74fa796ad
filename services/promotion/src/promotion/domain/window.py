"""When a promotion runs: a UTC window, optionally overridden per region in store-local time.

A regional window ("08:00 to 22:00 local, 1 to 7 March, in every Chicago store") is kept as local
wall-clock times plus an IANA zone and resolved to instants per region, so a DST change moves the
instant, not the shelf time. Windows are half-open: open at ``start``, closed at ``end``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec

from promotion.domain import _checks
from promotion.domain.errors import ValidationError


class RegionalWindow(msgspec.Struct, frozen=True, kw_only=True):
    """Store-local start and end (naive wall-clock times) in ``timezone`` for one region."""

    local_start: datetime
    local_end: datetime
    timezone: str

    def __post_init__(self) -> None:
        self.check("window.regional_windows[]")

    def check(self, field: str) -> None:
        for name, value in (("local_start", self.local_start), ("local_end", self.local_end)):
            if not isinstance(value, datetime) or value.tzinfo is not None:
                raise ValidationError(f"{field}.{name}", "must be a naive store-local datetime")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError, TypeError):
            raise ValidationError(f"{field}.timezone", f"unknown IANA time zone {self.timezone!r}") from None
        start, end = self.instants()
        if end <= start:
            raise ValidationError(f"{field}.local_end", "ends before it starts")

    def instants(self) -> tuple[datetime, datetime]:
        """The local times as UTC instants (a time skipped by DST resolves forward, fold=0)."""
        zone = ZoneInfo(self.timezone)
        return (
            self.local_start.replace(tzinfo=zone).astimezone(UTC),
            self.local_end.replace(tzinfo=zone).astimezone(UTC),
        )


class Window(msgspec.Struct, frozen=True, kw_only=True):
    """The effective window; ``regional_windows`` replaces ``start``/``end`` for the regions it names."""

    start: datetime
    end: datetime
    regional_windows: dict[str, RegionalWindow] = {}

    def __post_init__(self) -> None:
        _checks.utc_instant("window.start", self.start)
        _checks.utc_instant("window.end", self.end)
        if self.end <= self.start:
            raise ValidationError("window.end", "ends before it starts")
        for region, regional in sorted(self.regional_windows.items()):
            _checks.identifier("window.regional_windows", region)
            regional.check(f"window.regional_windows[{region}]")

    def bounds_for(self, region: str | None) -> tuple[datetime, datetime]:
        """Start and end instants that apply in ``region`` (the UTC window when not overridden)."""
        regional = self.regional_windows.get(region) if region is not None else None
        return regional.instants() if regional is not None else (self.start, self.end)

    def is_open_at(self, instant: datetime, region: str | None) -> bool:
        start, end = self.bounds_for(region)
        return start <= instant < end
