"""The slice of master data distribution needs, loaded by the application from the local replica."""

from __future__ import annotations

from dataclasses import dataclass, field

from canon.master.network import Channel, Node
from canon.master.product import Item, TaxCode


@dataclass(frozen=True)
class MasterView:
    items: dict[str, Item] = field(default_factory=dict)
    channels: dict[str, Channel] = field(default_factory=dict)
    nodes: list[Node] = field(default_factory=list)
    tax_codes: dict[tuple[str, str], TaxCode] = field(default_factory=dict)
    """(region, tax_class) -> tax code."""

    def tax_code(self, region: str, tax_class: str) -> TaxCode | None:
        return self.tax_codes.get((region, tax_class))
