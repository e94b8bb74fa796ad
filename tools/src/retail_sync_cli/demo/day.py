"""One trading day of the demo retailer, generated from the seed (pure, deterministic).

What happens: stock arrives the evening before; the twelve stores sell from 09:00 to 21:00 local
(cards through Adyen, some cash), the web shop takes orders all day (each line reserved at DC-US,
most shipped the same day, some still reserved at midnight, a few carts cancelled and released),
Amazon orders ship from the 3PL; some customers return an item (back on the shelf or into quarantine);
at closing three stores and the DC count part of their stock, with a little drift.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from retail_sync_cli.demo.baskets import Basket, PricedLine, price_line
from retail_sync_cli.demo.retailer import (
    MISSING_TAX_MAPPING,
    Item,
    channel_of_node,
    legal_entity,
    local_instant,
    make_items,
    region_of,
    stores,
)

BOGO_CATEGORIES = ("SNACKS", "DRINKS")
COUNTED_NODES = ("S-NY-01", "S-TX-01", "S-NL-01", "DC-US")
DRIFT_TOLERANCE_UNITS = 5
"""The inventory service's default auto-correct tolerance (RETAIL_SYNC_INVENTORY_DRIFT_MAX_UNITS)."""
DRIFTS = (-1, 2, -3, 1, -8, 12)
"""Count differences planted in the cycle counts: four within the tolerance (adjusted automatically)
and two beyond it (exceptions)."""


@dataclass(frozen=True)
class DemoSize:
    skus: int = 2000
    pos_per_store: int = 30
    web_orders: int = 80
    amazon_orders: int = 30

    @property
    def fast_movers(self) -> int:
        return max(24, min(self.skus, self.skus // 15))


@dataclass
class Order:
    source: str
    """pos, shopify or amazon."""
    channel_id: str
    node_id: str
    region: str
    legal_entity_id: str
    currency: str
    order_id: str
    document_id: str
    occurred_at: datetime
    basket: Basket
    tender_kind: str
    processor_reference: str | None = None
    card_brand: str | None = None
    fulfilment: str = "shipped"
    """shipped, or reserved (web orders still waiting for the warehouse at midnight)."""


@dataclass
class Return:
    order: Order
    line: PricedLine
    document_id: str
    occurred_at: datetime
    disposition: str


@dataclass
class TradingDay:
    trading_day: date
    seed: int
    items: list[Item]
    fast_movers: list[Item]
    bogo_skus: list[str]
    orders: list[Order] = field(default_factory=list)
    returns: list[Return] = field(default_factory=list)
    movements: list[dict[str, object]] = field(default_factory=list)
    snapshots: list[dict[str, object]] = field(default_factory=list)
    cancelled_carts: int = 0
    stock: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    """(sku, node) -> [on_hand, reserved, damaged] after the day, as the demo expects it."""

    def movement(self, kind: str, key: str, at: datetime, sku: str, node: str, **fields: object) -> None:
        released = int(fields.pop("_released", 0))  # type: ignore[call-overload]
        record = {"type": kind, "idempotency_key": key, "source_system": "demo", "occurred_at": _iso(at)}
        self.movements.append(record | {"sku": sku, "node": node} | fields)
        on_hand, reserved, damaged = self.stock.setdefault((sku, node), [0, 0, 0])
        qty = int(fields.get("qty") or 0)  # type: ignore[call-overload]
        if kind == "receipt":
            on_hand += qty
        elif kind == "reservation_created":
            reserved += qty
        elif kind == "reservation_released":
            reserved -= released
        elif kind == "ship":
            on_hand -= qty
            reserved -= qty if fields.get("reservation_id") else 0
        elif kind == "return_received":
            on_hand += qty
            damaged += qty if fields.get("disposition") == "quarantine" else 0
        self.stock[(sku, node)] = [on_hand, reserved, damaged]

    def available(self, sku: str, node: str) -> int:
        on_hand, reserved, damaged = self.stock.get((sku, node), [0, 0, 0])
        return on_hand - reserved - damaged


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat()


def generate_day(seed: int, trading_day: date, size: DemoSize) -> TradingDay:
    rng = random.Random(seed)
    items = make_items(rng, size.skus)
    fast = sorted(rng.sample(items, size.fast_movers), key=lambda item: item.sku)
    bogo = [item.sku for item in fast if item.category_id in BOGO_CATEGORIES][:24]
    day = TradingDay(trading_day, seed, items, fast, bogo)
    _receive_opening_stock(day, rng)
    for store in stores():
        _store_sales(day, rng, store.node_id, size.pos_per_store)
    _web_orders(day, rng, size.web_orders)
    _amazon_orders(day, rng, size.amazon_orders)
    _returns(day, rng)
    _cycle_counts(day, rng)
    return day


def _receive_opening_stock(day: TradingDay, rng: random.Random) -> None:
    at = datetime.combine(day.trading_day - timedelta(days=1), time(20), tzinfo=UTC)
    for node in [*(s.node_id for s in stores()), "DC-US", "DC-NL", "3PL-NJ"]:
        low, high = (40, 80) if node.startswith("S-") else (300, 500)
        for item in day.fast_movers:
            qty = rng.randint(low, high)
            day.movement("receipt", f"RCV-{node}-{item.sku}-{day.trading_day}", at, item.sku, node, qty=qty)


def _basket(
    day: TradingDay, rng: random.Random, node: str, region: str, prefix: str, *, bogo_deployed: bool
) -> Basket:
    lines: list[PricedLine] = []
    bogo_set = set(day.bogo_skus)
    chosen = rng.sample(day.fast_movers, rng.randint(1, 4))
    has_bogo_line = False
    for index, item in enumerate(chosen, start=1):
        is_bogo = item.sku in bogo_set
        if is_bogo and has_bogo_line:
            continue  # one campaign line per basket
        quantity = 2 if is_bogo and rng.random() < 0.7 else rng.choice((1, 1, 1, 2))
        if day.available(item.sku, node) < quantity + 2:
            continue
        has_bogo_line = has_bogo_line or is_bogo
        lines.append(price_line(f"{prefix}{index}", item, quantity, region, bogo=is_bogo and bogo_deployed))
    if not lines:
        item = next(i for i in day.fast_movers if i.sku not in bogo_set and day.available(i.sku, node) > 3)
        lines.append(price_line(f"{prefix}1", item, 1, region, bogo=False))
    return Basket(lines)


def _psp(rng: random.Random) -> str:
    return str(rng.randrange(10**15, 10**16))


def _ship(day: TradingDay, order: Order, at: datetime, reserved: bool = False) -> None:
    for line in order.basket.lines:
        extra = {"reservation_id": f"RSV-{order.document_id}-{line.line_id}"} if reserved else {}
        day.movement(
            "ship",
            f"SHIP-{order.document_id}-{line.line_id}",
            at,
            line.item.sku,
            order.node_id,
            qty=line.quantity,
            order_id=order.order_id,
            **extra,
        )


def _store_sales(day: TradingDay, rng: random.Random, store: str, count: int) -> None:
    region = region_of(store)
    entity = legal_entity(region.legal_entity_id)
    deployed = (region.region, "food") != MISSING_TAX_MAPPING
    for number in range(1, count + 1):
        minute = 9 * 60 + (number - 1) * (12 * 60 - 30) // count + rng.randrange(0, 10)
        at = local_instant(
            day.trading_day, time(minute // 60, minute % 60, rng.randrange(60)), region.timezone
        )
        document = f"{store}-{day.trading_day:%Y%m%d}-{number:04d}"
        basket = _basket(day, rng, store, region.region, "", bogo_deployed=deployed)
        card = rng.random() < 0.7
        order = Order(
            source="pos",
            channel_id=channel_of_node(store),
            node_id=store,
            region=region.region,
            legal_entity_id=entity.legal_entity_id,
            currency=entity.currency,
            order_id=document,
            document_id=document,
            occurred_at=at,
            basket=basket,
            tender_kind="card" if card else "cash",
            processor_reference=_psp(rng) if card else None,
            card_brand=rng.choice(("visa", "mc", "amex")) if card else None,
        )
        day.orders.append(order)
        _ship(day, order, at)


def _web_orders(day: TradingDay, rng: random.Random, count: int) -> None:
    zone = region_of("DC-US").timezone
    cancel_every = 12
    for number in range(1, count + count // cancel_every + 1):
        minute = (number - 1) * (24 * 60 - 20) // (count + count // cancel_every) + rng.randrange(0, 15)
        at = local_instant(day.trading_day, time(minute // 60, minute % 60, rng.randrange(60)), zone)
        document = str(5_200_000_000 + number)
        basket = _basket(day, rng, "DC-US", "US-NY", f"{document}0", bogo_deployed=True)
        expires = _iso(at + timedelta(days=3))
        for line in basket.lines:
            day.movement(
                "reservation_created",
                f"RSV-{document}-{line.line_id}",
                at,
                line.item.sku,
                "DC-US",
                qty=line.quantity,
                reservation_id=f"RSV-{document}-{line.line_id}",
                expires_at=expires,
                order_id=f"#{1000 + number}",
            )
        if number % cancel_every == 0:
            day.cancelled_carts += 1
            for line in basket.lines:
                day.movement(
                    "reservation_released",
                    f"REL-{document}-{line.line_id}",
                    at + timedelta(minutes=20),
                    line.item.sku,
                    "DC-US",
                    reservation_id=f"RSV-{document}-{line.line_id}",
                    _released=line.quantity,
                )
            continue
        order = Order(
            source="shopify",
            channel_id="WEB-US",
            node_id="DC-US",
            region="US-NY",
            legal_entity_id="LE-US",
            currency="USD",
            order_id=f"#{1000 + number}",
            document_id=document,
            occurred_at=at,
            basket=basket,
            tender_kind="card",
            processor_reference=_psp(rng),
            card_brand=rng.choice(("visa", "mc")),
        )
        if at >= local_instant(day.trading_day, time(20), zone):
            order.fulfilment = "reserved"  # after the warehouse's last wave: ships tomorrow
        else:
            _ship(day, order, at + timedelta(hours=3), reserved=True)
        day.orders.append(order)


def _amazon_orders(day: TradingDay, rng: random.Random, count: int) -> None:
    zone = region_of("3PL-NJ").timezone
    for number in range(1, count + 1):
        minute = (number - 1) * (24 * 60 - 60) // count + rng.randrange(0, 30)
        at = local_instant(day.trading_day, time(minute // 60, minute % 60, rng.randrange(60)), zone)
        order_id = f"11{rng.randrange(1, 10)}-{rng.randrange(10**6, 10**7)}-{rng.randrange(10**6, 10**7)}"
        basket = _basket(day, rng, "3PL-NJ", "US-NY", "", bogo_deployed=True)
        order = Order(
            source="amazon",
            channel_id="AMAZON-US",
            node_id="3PL-NJ",
            region="US-NY",
            legal_entity_id="LE-US",
            currency="USD",
            order_id=order_id,
            document_id=order_id,
            occurred_at=at,
            basket=basket,
            tender_kind="marketplace",
            processor_reference=order_id,
        )
        day.orders.append(order)
        _ship(day, order, at + timedelta(minutes=45))


def _returns(day: TradingDay, rng: random.Random) -> None:
    """About one order in thirty: a full line without a campaign discount comes back the same day."""
    for order in day.orders:
        if order.fulfilment != "shipped" or rng.random() >= 1 / 30:
            continue
        plain = [
            line for line in order.basket.lines if line.discount_minor == 0 and len(order.basket.lines) > 1
        ]
        if not plain:
            continue
        line = plain[0]
        zone = region_of(order.node_id).timezone
        closing = local_instant(day.trading_day, time(20, 55), zone)
        at = min(order.occurred_at + timedelta(hours=3), closing)
        if at <= order.occurred_at + timedelta(minutes=50):
            continue
        disposition = "quarantine" if rng.random() < 0.25 else "sellable"
        returned = Return(order, line, f"{order.document_id}-R1", at, disposition)
        day.returns.append(returned)
        day.movement(
            "return_received",
            f"RET-{returned.document_id}",
            at,
            line.item.sku,
            order.node_id,
            qty=line.quantity,
            disposition=disposition,
            order_id=order.order_id,
        )


def _cycle_counts(day: TradingDay, rng: random.Random) -> None:
    planted = list(DRIFTS)
    for node in COUNTED_NODES:
        region = region_of(node)
        closing = time(23, 55) if node.startswith("DC") else time(21, 30)
        as_of = local_instant(day.trading_day, closing, region.timezone)
        lines = []
        for item in sorted(rng.sample(day.fast_movers, min(25, len(day.fast_movers))), key=lambda i: i.sku):
            on_hand = day.stock.get((item.sku, node), [0, 0, 0])[0]
            drift = planted.pop(0) if planted and rng.random() < 0.3 else 0
            counted = max(0, on_hand + drift)
            lines.append({"sku": item.sku, "node": node, "counted_qty": counted})
            if abs(counted - on_hand) <= DRIFT_TOLERANCE_UNITS:
                day.stock[(item.sku, node)][0] = counted  # adjusted to the count
        source = "wms" if node.startswith("DC") else "store_count"
        day.snapshots.append({"source": source, "as_of": _iso(as_of), "lines": lines})
    if planted:
        raise AssertionError("the counts did not take every planted drift")  # pragma: no cover
