"""Ecommerce cart price rule (``retail-sync.cart-rule.v1``), shaped like the cart rules of common
commerce platforms: conditions on the cart, one action, coupon settings, and processing order.

Action types: ``by_percent`` (each eligible unit), ``by_fixed`` (each unit), ``line_fixed``,
``cart_fixed`` (spread over eligible lines), ``to_fixed_price``, ``buy_x_get_y`` (discount_step = X,
discount_qty = Y, get_percent), ``bundle_price`` (components), ``spend_tiers``.
"""

from __future__ import annotations

from typing import Any

import msgspec

from promotion.domain.distribution.master_view import MasterView
from promotion.domain.distribution.payloads.base import ChannelPayload, iso, json_payload, window_in
from promotion.domain.distribution.targets import Target
from promotion.domain.mechanics import AmountOff, BundlePrice, BuyXGetY, FixedPrice, Mechanic, PercentOff
from promotion.domain.version import PromotionVersion

FORMAT = "retail-sync.cart-rule.v1"


def _action(mechanic: Mechanic) -> dict[str, Any]:
    match mechanic:
        case PercentOff(percent=percent):
            return {"type": "by_percent", "discount_amount": str(percent)}
        case AmountOff(amount=amount, per=per):
            kind = {"unit": "by_fixed", "line": "line_fixed", "order": "cart_fixed"}[per]
            return {"type": kind, "discount_amount_minor": amount.amount_minor, "currency": amount.currency}
        case FixedPrice(price=price):
            return {"type": "to_fixed_price", "price_minor": price.amount_minor, "currency": price.currency}
        case BuyXGetY():
            return {
                "type": "buy_x_get_y",
                "discount_step": mechanic.buy_qty,
                "discount_qty": mechanic.get_qty,
                "get_percent": str(mechanic.get_percent_off),
                "repeatable": mechanic.repeatable,
                "get_units": mechanic.get_units,
                "buy_set": msgspec.to_builtins(mechanic.buy_set, order="sorted"),
                "get_set": msgspec.to_builtins(mechanic.effective_get_set, order="sorted"),
            }
        case BundlePrice():
            return {"type": "bundle_price", **msgspec.to_builtins(mechanic, order="sorted")}
    return {"type": "spend_tiers", **msgspec.to_builtins(mechanic, order="sorted")}


def render_cart_rule(
    action: str, version: PromotionVersion, target: Target, master: MasterView, deployment_id: str
) -> ChannelPayload:
    start, end = window_in(version, target)
    scope = version.scope
    coupon = version.coupon
    document = {
        "format": FORMAT,
        "deployment_id": deployment_id,
        "rule_id": f"{version.promotion_id}:v{version.version}",
        "name": version.name,
        "description": version.description,
        "is_active": action == "publish",
        "website": target.channel.channel_id,
        "region": target.region,
        "from_date": iso(start),
        "to_date": iso(end),
        "conditions": {
            "sku_in": sorted(scope.items),
            "category_in": sorted(scope.categories),
            "sku_not_in": sorted(scope.excluded_items),
            "category_not_in": sorted(scope.excluded_categories),
        },
        "action": _action(version.mechanic),
        "max_qty_per_line": version.limits.max_units_per_line,
        "max_qty_per_order": version.limits.max_units_per_transaction,
        "coupon_type": "none" if coupon is None else "specific",
        "coupon_codes": sorted(coupon.codes) if coupon else [],
        "uses_per_coupon": (1 if not coupon.multi_use else coupon.total_limit) if coupon else None,
        "uses_per_customer": coupon.per_customer_limit if coupon else None,
        "stop_rules_processing": version.stacking.exclusive,
        "stacking_group": version.stacking.stacking_group,
        "sort_order": version.stacking.priority,
    }
    return json_payload(document, FORMAT)
