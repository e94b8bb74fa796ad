"""Shopify order and refund webhooks (same schema as the REST Admin resources) -> SalesTransaction."""

from connectors.sales.shopify.order import PromotionResolver, parse_order
from connectors.sales.shopify.refund import parse_refund

__all__ = ["PromotionResolver", "parse_order", "parse_refund"]
