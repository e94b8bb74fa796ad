"""Mobile app offer card (``retail-sync.mobile-offer.v1``): what the app shows and deep-links to.

The app does not price carts (it calls the evaluation API); it shows the offer and its terms.
"""

from __future__ import annotations

from promotion.domain.distribution.master_view import MasterView
from promotion.domain.distribution.payloads.base import ChannelPayload, headline, iso, json_payload, window_in
from promotion.domain.distribution.targets import Target
from promotion.domain.version import PromotionVersion

FORMAT = "retail-sync.mobile-offer.v1"


def render_mobile_offer(
    action: str, version: PromotionVersion, target: Target, master: MasterView, deployment_id: str
) -> ChannelPayload:
    start, end = window_in(version, target)
    document = {
        "format": FORMAT,
        "deployment_id": deployment_id,
        "offer_id": version.promotion_id,
        "version": version.version,
        "status": "live" if action == "publish" else "removed",
        "title": version.name,
        "badge": headline(version.mechanic),
        "body": version.description,
        "region": target.region,
        "valid_from": iso(start),
        "valid_to": iso(end),
        "skus": sorted(version.scope.items),
        "categories": sorted(version.scope.categories),
        "requires_coupon": version.coupon is not None,
        "deep_link": f"app://offers/{version.promotion_id}",
    }
    return json_payload(document, FORMAT)
