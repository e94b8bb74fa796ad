"""The demo retailer: two legal entities, three regions, twelve stores, two DCs, a 3PL, a web shop and a
marketplace, and its master data (pure: records as JSON-ready dicts, built from the seed).

One tax mapping is missing on purpose: region US-TX has no code for tax class `food`, so the weekend
BOGO (which names food items) cannot deploy to the Texas stores while every other target deploys.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class LegalEntity:
    legal_entity_id: str
    name: str
    country: str
    currency: str
    chart_id: str
    timezone: str


@dataclass(frozen=True)
class Region:
    region: str
    legal_entity_id: str
    timezone: str


@dataclass(frozen=True)
class Node:
    node_id: str
    name: str
    kind: str
    region: str
    store_cluster: str | None = None
    serves_channels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Channel:
    channel_id: str
    name: str
    kind: str
    legal_entity_id: str
    currency: str


@dataclass(frozen=True)
class Item:
    sku: str
    name: str
    category_id: str
    tax_class: str
    price_minor: int
    """Shelf price in minor units; the same number in USD and EUR (one price list per currency)."""
    cost_minor: int


LEGAL_ENTITIES = (
    LegalEntity("LE-US", "Demo Retail US Inc.", "US", "USD", "US", "America/New_York"),
    LegalEntity("LE-NL", "Demo Retail Nederland B.V.", "NL", "EUR", "EU", "Europe/Amsterdam"),
)
REGIONS = (
    Region("US-NY", "LE-US", "America/New_York"),
    Region("US-TX", "LE-US", "America/Chicago"),
    Region("NL", "LE-NL", "Europe/Amsterdam"),
)
CHANNELS = (
    Channel("STORES-US", "US stores", "store", "LE-US", "USD"),
    Channel("STORES-NL", "Dutch stores", "store", "LE-NL", "EUR"),
    Channel("WEB-US", "Web shop", "ecommerce", "LE-US", "USD"),
    Channel("AMAZON-US", "Amazon US", "marketplace", "LE-US", "USD"),
)
_STORES = (
    ("S-NY-01", "Manhattan 34th St", "US-NY", "METRO"),
    ("S-NY-02", "Brooklyn Atlantic", "US-NY", "METRO"),
    ("S-NY-03", "Queens Center", "US-NY", "METRO"),
    ("S-NY-04", "White Plains", "US-NY", "SUBURBAN"),
    ("S-NY-05", "Long Island Roosevelt", "US-NY", "SUBURBAN"),
    ("S-TX-01", "Austin Domain", "US-TX", "METRO"),
    ("S-TX-02", "Dallas NorthPark", "US-TX", "METRO"),
    ("S-TX-03", "Round Rock", "US-TX", "RURAL"),
    ("S-TX-04", "Waco", "US-TX", "RURAL"),
    ("S-NL-01", "Amsterdam Kalverstraat", "NL", "RANDSTAD"),
    ("S-NL-02", "Rotterdam Lijnbaan", "NL", "RANDSTAD"),
    ("S-NL-03", "Utrecht Hoog Catharijne", "NL", "RANDSTAD"),
)
NODES = (
    *(
        Node(node_id, name, "store", region, cluster, ("STORES-NL",) if region == "NL" else ("STORES-US",))
        for node_id, name, region, cluster in _STORES
    ),
    Node("DC-US", "Newark DC", "dc", "US-NY", None, ("WEB-US",)),
    Node("DC-NL", "Tilburg DC", "dc", "NL"),
    Node("3PL-NJ", "Edison 3PL (marketplace fulfilment)", "3pl", "US-NY", None, ("AMAZON-US",)),
)
CATEGORIES = (
    ("SNACKS", "Snacks", "food"),
    ("DRINKS", "Drinks", "standard"),
    ("HOME", "Home", "standard"),
    ("TOYS", "Toys", "standard"),
    ("BEAUTY", "Beauty", "standard"),
    ("APPAREL", "Apparel", "standard"),
)
TAX_RATES: dict[tuple[str, str], str] = {
    ("US-NY", "standard"): "0.08875",
    ("US-NY", "food"): "0",
    ("US-TX", "standard"): "0.0825",
    ("NL", "standard"): "0.21",
    ("NL", "food"): "0.09",
}
"""Rates the tills charge. The master data maps all but (US-TX, food): Texas does not tax food, and
the ERP extract simply has no row for it, which is the missing mapping the campaign trips over."""
MISSING_TAX_MAPPING = ("US-TX", "food")
GL_ACCOUNTS = (
    ("1100", "Cash in stores", "asset", "debit"),
    ("1150", "Card clearing", "asset", "debit"),
    ("1160", "Marketplace clearing", "asset", "debit"),
    ("1170", "Processor reserves", "asset", "debit"),
    ("1300", "Vendor funding receivable", "asset", "debit"),
    ("1400", "Inventory", "asset", "debit"),
    ("2200", "Sales tax payable", "liability", "credit"),
    ("2300", "Gift card liability", "liability", "credit"),
    ("2310", "Loyalty liability", "liability", "credit"),
    ("2320", "Store credit liability", "liability", "credit"),
    ("4000", "Merchandise revenue", "revenue", "credit"),
    ("4010", "Shipping revenue", "revenue", "credit"),
    ("4100", "Promotional discounts", "revenue", "debit"),
    ("4110", "Coupon discounts", "revenue", "debit"),
    ("4120", "Markdowns", "revenue", "debit"),
    ("5000", "Cost of goods sold", "expense", "debit"),
    ("6100", "Processor fees", "expense", "debit"),
    ("6110", "Marketplace commissions", "expense", "debit"),
    ("6120", "Chargebacks", "expense", "debit"),
    ("6999", "Other reconciliation differences", "expense", "debit"),
    ("7900", "FX differences", "expense", "debit"),
)


def legal_entity(legal_entity_id: str) -> LegalEntity:
    return next(entity for entity in LEGAL_ENTITIES if entity.legal_entity_id == legal_entity_id)


def region_of(node_id: str) -> Region:
    node = next(n for n in NODES if n.node_id == node_id)
    return next(r for r in REGIONS if r.region == node.region)


def stores() -> list[Node]:
    return [node for node in NODES if node.kind == "store"]


def tax_rate(region: str, tax_class: str) -> Decimal:
    return Decimal(TAX_RATES.get((region, tax_class), "0"))


def make_items(rng: random.Random, count: int) -> list[Item]:
    """`count` items spread over the categories; prices 0.99 to 59.99, cost 45 to 70 % of price."""
    items = []
    for number in range(1, count + 1):
        category_id, category_name, tax_class = CATEGORIES[(number - 1) % len(CATEGORIES)]
        price = rng.randrange(99, 5999, 10) + 9 if rng.random() < 0.5 else rng.randrange(99, 2999, 100)
        cost = price * rng.randrange(45, 71) // 100
        items.append(
            Item(f"SKU-{number:05d}", f"{category_name} item {number}", category_id, tax_class, price, cost)
        )
    return items


def local_instant(day: date, at: time, timezone: str) -> datetime:
    return datetime.combine(day, at, tzinfo=ZoneInfo(timezone))


def master_records(items: list[Item], trading_day: date) -> dict[str, list[dict[str, Any]]]:
    """Every master record type, in the order a dependent record needs its references loaded."""
    costs_from = local_instant(date(trading_day.year - 1, 1, 1), time(0), "UTC").isoformat()
    year = trading_day.year
    return {
        "legal_entity": [
            {
                "legal_entity_id": e.legal_entity_id,
                "name": e.name,
                "country": e.country,
                "functional_currency": e.currency,
                "chart_id": e.chart_id,
                "timezone": e.timezone,
            }
            for e in LEGAL_ENTITIES
        ],
        "fiscal_calendar": [
            {
                "legal_entity_id": e.legal_entity_id,
                "fiscal_year": fiscal_year,
                "periods": _months(fiscal_year),
            }
            for e in LEGAL_ENTITIES
            for fiscal_year in (year - 1, year)
        ],
        "gl_account": [
            {
                "chart_id": e.chart_id,
                "account_number": number,
                "name": name,
                "account_type": account_type,
                "normal_balance": normal,
            }
            for e in LEGAL_ENTITIES
            for number, name, account_type, normal in GL_ACCOUNTS
        ],
        "accounting_dimension": [
            {"dimension": "cost_center", "code": code, "name": name}
            for code, name in (("CC-STORES", "Store operations"), ("CC-DIGITAL", "Digital commerce"))
        ],
        "channel": [
            {
                "channel_id": c.channel_id,
                "name": c.name,
                "kind": c.kind,
                "legal_entity_id": c.legal_entity_id,
                "currency": c.currency,
            }
            for c in CHANNELS
        ],
        "node": [
            {
                "node_id": n.node_id,
                "name": n.name,
                "kind": n.kind,
                "region": n.region,
                "legal_entity_id": region_of(n.node_id).legal_entity_id,
                "timezone": region_of(n.node_id).timezone,
                "store_cluster": n.store_cluster,
                "serves_channels": list(n.serves_channels),
            }
            for n in NODES
        ],
        "category": [{"category_id": cid, "name": name} for cid, name, _ in CATEGORIES],
        "tax_code": [
            {
                "region": region,
                "tax_class": tax_class,
                "code": f"{region}-{tax_class}".upper(),
                "jurisdiction": region,
                "rate": rate,
            }
            for (region, tax_class), rate in sorted(TAX_RATES.items())
            if (region, tax_class) != MISSING_TAX_MAPPING
        ],
        "item": [
            {"sku": i.sku, "name": i.name, "category_id": i.category_id, "tax_class": i.tax_class}
            for i in items
        ],
        "item_cost": [
            {
                "sku": i.sku,
                "legal_entity_id": e.legal_entity_id,
                "unit_cost": {"amount_minor": i.cost_minor, "currency": e.currency},
                "effective_from": costs_from,
            }
            for e in LEGAL_ENTITIES
            for i in items
        ],
    }


def _months(year: int) -> list[dict[str, str]]:
    periods = []
    for month in range(1, 13):
        start = date(year, month, 1)
        end = date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)
        periods.append(
            {"period_id": f"{year}-{month:02d}", "start": start.isoformat(), "end": end.isoformat()}
        )
    return periods


def channel_of_node(node_id: str) -> str:
    """The channel a store sells for (a store serves exactly one store channel here)."""
    return next(n for n in NODES if n.node_id == node_id).serves_channels[0]
