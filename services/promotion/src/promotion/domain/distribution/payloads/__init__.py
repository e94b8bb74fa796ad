"""Channel payloads: one concrete format per channel kind (documented in contracts/channels/).

store -> POS promotion feed (JSON), ecommerce -> cart price rule (JSON), mobile -> offer card
(JSON), marketplace -> promotion feed (tab-separated). Every payload names its format and
version so a channel can keep consuming an older format while a newer one rolls out.
"""

from __future__ import annotations

from promotion.domain.distribution.master_view import MasterView
from promotion.domain.distribution.payloads.base import ChannelPayload
from promotion.domain.distribution.payloads.cart_rule import render_cart_rule
from promotion.domain.distribution.payloads.marketplace_feed import render_marketplace_feed
from promotion.domain.distribution.payloads.mobile_offer import render_mobile_offer
from promotion.domain.distribution.payloads.pos_feed import render_pos_feed
from promotion.domain.distribution.targets import Target
from promotion.domain.version import PromotionVersion

__all__ = ["ChannelPayload", "render_payload"]

_RENDERERS = {
    "store": render_pos_feed,
    "ecommerce": render_cart_rule,
    "mobile": render_mobile_offer,
    "marketplace": render_marketplace_feed,
}


def render_payload(
    action: str, version: PromotionVersion, target: Target, master: MasterView, deployment_id: str
) -> ChannelPayload:
    return _RENDERERS[target.channel.kind](action, version, target, master, deployment_id)
