"""What every channel payload shares: bytes, content type, format name, and mechanic wording."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import msgspec

from promotion.domain.distribution.targets import Target
from promotion.domain.mechanics import AmountOff, BundlePrice, BuyXGetY, FixedPrice, Mechanic, PercentOff
from promotion.domain.version import PromotionVersion


@dataclass(frozen=True)
class ChannelPayload:
    content: bytes
    content_type: str
    format: str
    """e.g. ``retail-sync.pos-feed.v1``."""
    extension: str


def json_payload(document: object, format_name: str) -> ChannelPayload:
    return ChannelPayload(
        msgspec.json.encode(document, order="sorted"), "application/json", format_name, "json"
    )


def window_in(version: PromotionVersion, target: Target) -> tuple[datetime, datetime]:
    return version.window.bounds_for(target.region)


def iso(instant: datetime) -> str:
    return instant.isoformat().replace("+00:00", "Z")


def headline(mechanic: Mechanic) -> str:
    """Shelf-edge wording of a mechanic ("BOGO FREE", "20% OFF")."""
    match mechanic:
        case PercentOff(percent=percent):
            return f"{percent.normalize():f}% OFF"
        case AmountOff(amount=amount, per=per):
            return f"{amount.to_decimal()} {amount.currency} OFF EACH {per.upper()}"
        case FixedPrice(price=price):
            return f"NOW {price.to_decimal()} {price.currency}"
        case BuyXGetY(buy_qty=1, get_qty=1, get_percent_off=off) if off == 100:
            return "BOGO FREE"
        case BuyXGetY(buy_qty=buy, get_qty=get, get_percent_off=off):
            return f"BUY {buy} GET {get} {'FREE' if off == 100 else f'{off.normalize():f}% OFF'}"
        case BundlePrice(price=price):
            return f"BUNDLE {price.to_decimal()} {price.currency}"
    return "SPEND AND SAVE"
