"""POS promotion feed (``retail-sync.pos-feed.v1``): one JSON document per store cluster.

Stores apply the rule offline, so the feed carries everything the till needs: the stores it is
for, the store-local window, the full mechanic, the items with their tax code in that region, and
the stacking, limits, coupon, funding and accounting terms (the till prints them on receipts and
returns them in its POSLog).
"""

from __future__ import annotations

import msgspec

from promotion.domain.distribution.master_view import MasterView
from promotion.domain.distribution.payloads.base import ChannelPayload, iso, json_payload, window_in
from promotion.domain.distribution.targets import Target
from promotion.domain.distribution.validation import named_skus
from promotion.domain.version import PromotionVersion

FORMAT = "retail-sync.pos-feed.v1"


def render_pos_feed(
    action: str, version: PromotionVersion, target: Target, master: MasterView, deployment_id: str
) -> ChannelPayload:
    start, end = window_in(version, target)
    items = []
    for sku in named_skus(version):
        item = master.items.get(sku)
        tax = master.tax_code(target.region or "", item.tax_class) if item else None
        items.append({"sku": sku, "tax_code": tax.code if tax else None})
    content = msgspec.to_builtins(version, order="sorted")
    document = {
        "format": FORMAT,
        "deployment_id": deployment_id,
        "action": "upsert" if action == "publish" else "delete",
        "promotion_id": version.promotion_id,
        "version": version.version,
        "region": target.region,
        "store_cluster": target.store_cluster,
        "stores": list(target.stores),
        "effective": {"start": iso(start), "end": iso(end)},
        "rule": {
            "name": version.name,
            "mechanic": content["mechanic"],
            "scope": content["scope"],
            "stacking": content["stacking"],
            "limits": content["limits"],
            "coupon": content["coupon"],
            "funding": content["funding"],
            "accounting": content["accounting"],
        },
        "items": items,
    }
    return json_payload(document, FORMAT)
