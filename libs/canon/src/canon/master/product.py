"""Product master: items, categories, tax codes per region, item cost per legal entity."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

import msgspec

from canon import _checks
from canon.errors import ValidationError
from canon.money import Money

ItemStatus = Literal["active", "inactive"]


class Item(msgspec.Struct, frozen=True, kw_only=True):
    """A sellable item. ``quantity_scale`` > 0 marks weighed goods (quantities with that many
    decimals, e.g. 3 for kilograms to the gram); 0 means whole units of ``uom``."""

    sku: str
    name: str
    category_id: str
    uom: str = "EA"
    status: ItemStatus = "active"
    tax_class: str = "standard"
    vendor_id: str | None = None
    attributes: dict[str, str] = {}
    quantity_scale: int = 0

    def __post_init__(self) -> None:
        _checks.identifier("sku", self.sku)
        _checks.text("name", self.name)
        _checks.identifier("category_id", self.category_id)
        _checks.identifier("uom", self.uom)
        _checks.one_of("status", self.status, ItemStatus)
        _checks.identifier("tax_class", self.tax_class)
        _checks.optional_identifier("vendor_id", self.vendor_id)
        for name, value in self.attributes.items():
            _checks.identifier("attributes", name)
            if not isinstance(value, str):
                raise ValidationError(f"attributes.{name}", f"expected a string, got {type(value).__name__}")
        _checks.integer("quantity_scale", self.quantity_scale, minimum=0, maximum=6)

    @property
    def key(self) -> str:
        return self.sku

    @property
    def is_active(self) -> bool:
        return self.status == "active"


class Category(msgspec.Struct, frozen=True, kw_only=True):
    """A node of the merchandise hierarchy; ``parent_id`` None is a root."""

    category_id: str
    name: str
    parent_id: str | None = None

    def __post_init__(self) -> None:
        _checks.identifier("category_id", self.category_id)
        _checks.text("name", self.name)
        _checks.optional_identifier("parent_id", self.parent_id)
        if self.parent_id == self.category_id:
            raise ValidationError("parent_id", "a category cannot be its own parent")

    @property
    def key(self) -> str:
        return self.category_id


class TaxCode(msgspec.Struct, frozen=True, kw_only=True):
    """The tax mapping of a tax class in a region: the code channels send and the combined rate.

    ``rate`` is a decimal string (``"0.0825"`` = 8.25 %), kept as text so it stays exact in JSON.
    A promotion cannot deploy to a region where one of its items' tax class has no TaxCode.
    """

    region: str
    tax_class: str
    code: str
    jurisdiction: str
    rate: str

    def __post_init__(self) -> None:
        _checks.identifier("region", self.region)
        _checks.identifier("tax_class", self.tax_class)
        _checks.identifier("code", self.code)
        _checks.text("jurisdiction", self.jurisdiction)
        rate = _checks.decimal_string("rate", self.rate)
        if not Decimal(0) <= rate < Decimal(1):
            raise ValidationError("rate", f"must be at least 0 and below 1, got {self.rate!r}")

    @property
    def key(self) -> str:
        return f"{self.region}:{self.tax_class}"

    @property
    def rate_decimal(self) -> Decimal:
        return Decimal(self.rate)


class ItemCost(msgspec.Struct, frozen=True, kw_only=True):
    """Unit cost of an item for a legal entity from ``effective_from`` on (COGS posts at it)."""

    sku: str
    legal_entity_id: str
    unit_cost: Money
    effective_from: datetime

    def __post_init__(self) -> None:
        _checks.identifier("sku", self.sku)
        _checks.identifier("legal_entity_id", self.legal_entity_id)
        if not isinstance(self.unit_cost, Money):
            raise ValidationError("unit_cost", f"expected Money, got {type(self.unit_cost).__name__}")
        if self.unit_cost.is_negative():
            raise ValidationError("unit_cost", f"must not be negative, got {self.unit_cost}")
        _checks.utc_instant("effective_from", self.effective_from)

    @property
    def key(self) -> str:
        return f"{self.sku}:{self.legal_entity_id}"
