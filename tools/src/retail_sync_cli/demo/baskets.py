"""Pricing a basket the way a till or a web shop does: shelf price, the weekend BOGO, sales tax per line.

Pure. The tills apply the BOGO from the feed they received: a store region whose deployment failed
(US-TX, no tax mapping) sells at full price. A basket holds at most one BOGO line, bought in pairs,
so the engine's "cheapest unit free" and this pricing agree (the free unit costs the line's price).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from retail_sync_cli.demo.retailer import Item, tax_rate


@dataclass(frozen=True)
class PricedLine:
    line_id: str
    item: Item
    quantity: int
    unit_price_minor: int
    discount_minor: int
    tax_minor: int
    tax_rate: Decimal
    jurisdiction: str

    @property
    def gross_minor(self) -> int:
        return self.unit_price_minor * self.quantity

    @property
    def paid_minor(self) -> int:
        """What the customer pays for the line: after its discount, with its tax."""
        return self.gross_minor - self.discount_minor + self.tax_minor


@dataclass(frozen=True)
class Basket:
    lines: list[PricedLine] = field(default_factory=list)

    @property
    def total_minor(self) -> int:
        return sum(line.paid_minor for line in self.lines)

    @property
    def discount_minor(self) -> int:
        return sum(line.discount_minor for line in self.lines)

    @property
    def tax_minor(self) -> int:
        return sum(line.tax_minor for line in self.lines)


def line_tax(net_minor: int, rate: Decimal) -> int:
    return int((Decimal(net_minor) * rate).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def price_line(line_id: str, item: Item, quantity: int, region: str, *, bogo: bool) -> PricedLine:
    """`bogo`: the item is in the campaign and the channel/region has it (every second unit free)."""
    discount = item.price_minor * (quantity // 2) if bogo else 0
    rate = tax_rate(region, item.tax_class)
    tax = line_tax(item.price_minor * quantity - discount, rate)
    return PricedLine(line_id, item, quantity, item.price_minor, discount, tax, rate, region)
