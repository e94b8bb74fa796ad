"""The master data and promotion versions a batch of postings needs, loaded once per batch."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from zoneinfo import ZoneInfo

from canon.master_data import FiscalCalendar, Item, LegalEntity, Node
from canon.money import Money

from order_ledger.domain.default_rules import default_rules
from order_ledger.domain.periods import PeriodChoice, choose_period
from order_ledger.domain.promotion_terms import PromotionTerms
from order_ledger.domain.rules import PostingRules

DEFAULT_CHART = "default"


@dataclass
class PostingReference:
    rules_by_chart: dict[str, PostingRules] = field(default_factory=dict)
    legal_entities: dict[str, LegalEntity] = field(default_factory=dict)
    calendars: dict[str, list[FiscalCalendar]] = field(default_factory=dict)
    items: dict[str, Item] = field(default_factory=dict)
    nodes: dict[str, Node] = field(default_factory=dict)
    item_costs: dict[tuple[str, str], Money] = field(default_factory=dict)
    promotions: dict[tuple[str, int], PromotionTerms] = field(default_factory=dict)
    gl_accounts: dict[str, set[str]] = field(default_factory=dict)
    """Chart id -> account numbers the master data knows (empty: not replicated yet)."""
    account_cache: dict[tuple[str | None, ...], str] = field(default_factory=dict)
    """(chart, role, qualifiers...) -> account, memoised for the batch."""

    @cached_property
    def categories(self) -> dict[str, str | None]:
        """Sku -> category of the items the batch named (master data); read once the items are loaded."""
        return {sku: item.category_id for sku, item in self.items.items()}

    def chart_of(self, legal_entity_id: str) -> str:
        entity = self.legal_entities.get(legal_entity_id)
        return entity.chart_id if entity is not None else DEFAULT_CHART

    def rules_for(self, legal_entity_id: str) -> PostingRules:
        chart = self.chart_of(legal_entity_id)
        found = self.rules_by_chart.get(chart) or self.rules_by_chart.get(DEFAULT_CHART)
        if found is None:  # decoded once per batch, not once per transaction
            found = self.rules_by_chart[chart] = default_rules(chart)
        return found

    def posting_day(self, legal_entity_id: str, node_id: str, at: datetime) -> tuple[date, PeriodChoice]:
        """The business date of an inventory event (in the node's time zone, else the legal entity's,
        else UTC) and the fiscal period it posts into."""
        node, entity = self.nodes.get(node_id), self.legal_entities.get(legal_entity_id)
        zone = node.timezone if node is not None else (entity.timezone if entity is not None else "UTC")
        business_date = at.astimezone(ZoneInfo(zone)).date()
        return business_date, choose_period(
            legal_entity_id, self.calendars.get(legal_entity_id, []), business_date
        )

    def is_gift_card(self, sku: str, category_id: str | None, rules: PostingRules) -> bool:
        item = self.items.get(sku)
        if item is not None and item.attributes.get("product_type") == "gift_card":
            return True
        category = category_id or (item.category_id if item is not None else None)
        return category is not None and category in rules.gift_card_categories

    def unknown_accounts(self, legal_entity_id: str, accounts: set[str]) -> list[str]:
        known = self.gl_accounts.get(self.chart_of(legal_entity_id))
        return sorted(accounts - known) if known else []
