"""Marketplace promotion feed (``retail-sync.marketplace-feed.v1``): a tab-separated flat file, one
row per SKU, in the style of marketplace seller-central promotion uploads.

Columns: format, deployment_id, action (add/delete), promotion_id, version, sku, promotion_type,
discount_type, discount_value, currency, buy_qty, get_qty, start_utc, end_utc, region. A
category-wide promotion has one row with an empty sku and the category in ``promotion_type``'s
``category:<id>`` form.
"""

from __future__ import annotations

from promotion.domain.distribution.master_view import MasterView
from promotion.domain.distribution.payloads.base import ChannelPayload, iso, window_in
from promotion.domain.distribution.targets import Target
from promotion.domain.distribution.validation import named_skus
from promotion.domain.mechanics import AmountOff, BundlePrice, BuyXGetY, FixedPrice, Mechanic, PercentOff
from promotion.domain.version import PromotionVersion

FORMAT = "retail-sync.marketplace-feed.v1"
COLUMNS = [
    "format",
    "deployment_id",
    "action",
    "promotion_id",
    "version",
    "sku",
    "promotion_type",
    "discount_type",
    "discount_value",
    "currency",
    "buy_qty",
    "get_qty",
    "start_utc",
    "end_utc",
    "region",
]


def _terms(mechanic: Mechanic) -> tuple[str, str, str, str, str, str]:
    """promotion_type, discount_type, discount_value, currency, buy_qty, get_qty."""
    match mechanic:
        case PercentOff(percent=percent):
            return "price_discount", "percent", str(percent), "", "", ""
        case AmountOff(amount=amount, per=per):
            return f"amount_off_{per}", "amount", str(amount.to_decimal()), amount.currency, "", ""
        case FixedPrice(price=price):
            return "fixed_price", "price", str(price.to_decimal()), price.currency, "", ""
        case BuyXGetY():
            off = str(mechanic.get_percent_off)
            return "buy_x_get_y", "percent", off, "", str(mechanic.buy_qty), str(mechanic.get_qty)
        case BundlePrice(price=price):
            return "bundle", "price", str(price.to_decimal()), price.currency, "", ""
    return "spend_threshold", "tiers", "", "", "", ""


def render_marketplace_feed(
    action: str, version: PromotionVersion, target: Target, master: MasterView, deployment_id: str
) -> ChannelPayload:
    start, end = window_in(version, target)
    kind, discount_type, value, currency, buy, get = _terms(version.mechanic)
    skus = [sku for sku in named_skus(version) if sku not in version.scope.excluded_items]
    rows = [COLUMNS]
    keys = [(sku, kind) for sku in skus] or [("", f"category:{c}") for c in sorted(version.scope.categories)]
    for sku, promotion_type in keys or [("", kind)]:
        rows.append(
            [
                FORMAT,
                deployment_id,
                "add" if action == "publish" else "delete",
                version.promotion_id,
                str(version.version),
                sku,
                promotion_type,
                discount_type,
                value,
                currency,
                buy,
                get,
                iso(start),
                iso(end),
                target.region or "",
            ]
        )
    text = "".join("\t".join(cell.replace("\t", " ") for cell in row) + "\n" for row in rows)
    return ChannelPayload(text.encode(), "text/tab-separated-values", FORMAT, "tsv")
