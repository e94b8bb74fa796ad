"""Turning a provider's local time and zone abbreviation into an aware UTC instant.

Reports such as Adyen's give a wall-clock time plus an abbreviation ("PST", "PDT", "CET"). The
abbreviation names a region (via zoneinfo, so DST rules are the real ones) and also picks the
side of an ambiguous fall-back hour; an abbreviation that is not in force at that moment (PDT in
January) is refused rather than guessed. A full IANA name ("Europe/Amsterdam") is accepted too.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_REGION_BY_ABBREVIATION = {
    "UTC": "UTC",
    "GMT": "UTC",
    "BST": "Europe/London",
    "WET": "Europe/Lisbon",
    "WEST": "Europe/Lisbon",
    "CET": "Europe/Amsterdam",
    "CEST": "Europe/Amsterdam",
    "EET": "Europe/Helsinki",
    "EEST": "Europe/Helsinki",
    "EST": "America/New_York",
    "EDT": "America/New_York",
    "CST": "America/Chicago",
    "CDT": "America/Chicago",
    "MST": "America/Denver",
    "MDT": "America/Denver",
    "PST": "America/Los_Angeles",
    "PDT": "America/Los_Angeles",
    "AEST": "Australia/Sydney",
    "AEDT": "Australia/Sydney",
    "JST": "Asia/Tokyo",
    "SGT": "Asia/Singapore",
    "HKT": "Asia/Hong_Kong",
}


def localize(wall_clock: datetime, zone_name: str) -> datetime:
    """`wall_clock` (naive) in `zone_name`, as a UTC instant; ValueError with the reason if not."""
    name = zone_name.strip()
    if name.upper() in _REGION_BY_ABBREVIATION:
        abbreviation = name.upper()
        region = ZoneInfo(_REGION_BY_ABBREVIATION[abbreviation])
        if region.key == "UTC":
            return wall_clock.replace(tzinfo=UTC)
        for fold in (0, 1):
            candidate = wall_clock.replace(tzinfo=region, fold=fold)
            if candidate.tzname() == abbreviation:
                return candidate.astimezone(UTC)
        raise ValueError(
            f"time zone {name!r} is not in force at {wall_clock:%Y-%m-%d %H:%M:%S} in {region.key}"
        )
    try:
        region = ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}") from None
    return wall_clock.replace(tzinfo=region).astimezone(UTC)
