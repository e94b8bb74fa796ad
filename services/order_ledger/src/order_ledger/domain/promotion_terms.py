"""What the ledger keeps of a promotion version: its mechanic (to re-price a broken buy-X-get-Y),
funding and accounting treatment. Read leniently from `retail.promotion.*` payloads, because the
promotion contract is owned elsewhere and grows; an event without an id and version is not a version.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

import msgspec


class ItemSetTerms(msgspec.Struct, frozen=True, kw_only=True):
    """Empty = any item of the promotion's scope (the scope is checked by `PromotionTerms`)."""

    skus: list[str] = []
    categories: list[str] = []

    def contains(self, sku: str, category_id: str | None) -> bool:
        if not self.skus and not self.categories:
            return True
        return sku in self.skus or (category_id is not None and category_id in self.categories)


class ScopeTerms(msgspec.Struct, frozen=True, kw_only=True):
    """The items a promotion version applies to, as the promotion engine reads its scope: exclusions
    win; no items and no categories named = every item (not excluded)."""

    items: list[str] = []
    categories: list[str] = []
    excluded_items: list[str] = []
    excluded_categories: list[str] = []

    def covers(self, sku: str, category_id: str | None) -> bool:
        if sku in self.excluded_items or (
            category_id is not None and category_id in self.excluded_categories
        ):
            return False
        if not self.items and not self.categories:
            return True
        return sku in self.items or (category_id is not None and category_id in self.categories)


class BuyGetTerms(msgspec.Struct, frozen=True, kw_only=True):
    buy_qty: int
    get_qty: int
    get_percent_off: str = "100"
    buy_set: ItemSetTerms = ItemSetTerms()
    get_set: ItemSetTerms | None = None
    repeatable: bool = True
    get_units: str = "cheapest"

    @property
    def effective_get_set(self) -> ItemSetTerms:
        return self.buy_set if self.get_set is None else self.get_set

    def percent_of(self, amount_minor: int) -> int:
        exact = Decimal(amount_minor) * Decimal(self.get_percent_off) / Decimal(100)
        return min(amount_minor, int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP)))


class PromotionTerms(msgspec.Struct, frozen=True, kw_only=True):
    promotion_id: str
    version: int
    mechanic_kind: str
    buy_get: BuyGetTerms | None = None
    funding_source: str = "retailer"
    vendor_id: str | None = None
    vendor_share_pct: str | None = None
    treatment: str | None = None
    scope: ScopeTerms = ScopeTerms()
    """Versions stored before the scope was kept read as "every item", as the ledger did then."""

    @property
    def key(self) -> tuple[str, int]:
        return (self.promotion_id, self.version)

    def can_buy(self, sku: str, category_id: str | None) -> bool:
        """In the promotion's scope and in its buy set (an empty buy set = any item IN SCOPE)."""
        return (
            self.buy_get is not None
            and self.scope.covers(sku, category_id)
            and self.buy_get.buy_set.contains(sku, category_id)
        )

    def can_get(self, sku: str, category_id: str | None) -> bool:
        return (
            self.buy_get is not None
            and self.scope.covers(sku, category_id)
            and self.buy_get.effective_get_set.contains(sku, category_id)
        )


def terms_from_payload(payload: Any) -> PromotionTerms | None:
    """The version a promotion event carries in full, or None (status-only events, other shapes)."""
    if not isinstance(payload, dict):
        return None
    for name in ("content", "promotion_version", "promotion", "version_content"):
        nested = payload.get(name)
        if isinstance(nested, dict) and "mechanic" in nested:
            payload = nested
            break
    promotion_id, version, mechanic = (
        payload.get("promotion_id"),
        payload.get("version"),
        payload.get("mechanic"),
    )
    if not isinstance(promotion_id, str) or not isinstance(version, int) or not isinstance(mechanic, dict):
        return None
    funding = payload.get("funding") if isinstance(payload.get("funding"), dict) else {}
    accounting = payload.get("accounting") if isinstance(payload.get("accounting"), dict) else {}
    return PromotionTerms(
        promotion_id=promotion_id,
        version=version,
        mechanic_kind=str(mechanic.get("kind", "unknown")),
        buy_get=_buy_get(mechanic),
        funding_source=str(funding.get("source", "retailer")),
        vendor_id=funding.get("vendor_id"),
        vendor_share_pct=_decimal_text(funding.get("share_pct")),
        treatment=accounting.get("gl_discount_account"),
        scope=_scope(payload.get("scope")),
    )


def _scope(value: Any) -> ScopeTerms:
    if not isinstance(value, dict):
        return ScopeTerms()
    try:
        return msgspec.convert(
            {name: value.get(name) or [] for name in ScopeTerms.__struct_fields__}, ScopeTerms, strict=False
        )
    except msgspec.ValidationError:
        return ScopeTerms()


def _buy_get(mechanic: dict[str, Any]) -> BuyGetTerms | None:
    if mechanic.get("kind") != "buy_x_get_y":
        return None
    try:
        return msgspec.convert(
            {
                **mechanic,
                "get_percent_off": _decimal_text(mechanic.get("get_percent_off", "100")),
                "kind": None,
            },
            BuyGetTerms,
            strict=False,
        )
    except msgspec.ValidationError:
        return None


def _decimal_text(value: Any) -> str | None:
    if value is None:
        return None
    try:
        return str(Decimal(str(value)))
    except InvalidOperation:
        return None
