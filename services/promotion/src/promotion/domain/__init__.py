"""Promotion domain: governed promotion versions, their lifecycle, and the cart evaluation engine.

Pure code (stdlib, msgspec, canon): no I/O, no frameworks. The names below are the public API.
"""

from promotion.domain.audit import AuditEntry
from promotion.domain.cart import Cart, CartLine, CouponUsage, CouponUse
from promotion.domain.codec import decode_promotion_version, encode_promotion_version
from promotion.domain.engine import evaluate
from promotion.domain.errors import InvalidTransition, PromotionError, SegregationOfDuties, ValidationError
from promotion.domain.index import PromotionIndex, naive_evaluate
from promotion.domain.item_set import ItemSet
from promotion.domain.lifecycle import VersionStatus
from promotion.domain.mechanics import (
    AmountOff,
    BundleComponent,
    BundlePrice,
    BuyXGetY,
    FixedPrice,
    Mechanic,
    PercentOff,
    SpendThreshold,
    Tier,
)
from promotion.domain.promotion import Promotion, VersionRecord
from promotion.domain.result import CouponRedemption, EvaluationResult, LineAdjustment, LineResult
from promotion.domain.scope import Scope
from promotion.domain.terms import Accounting, CouponRequirement, Funding, Limits, Stacking
from promotion.domain.version import PromotionVersion
from promotion.domain.window import RegionalWindow, Window

__all__ = [
    "Accounting",
    "AmountOff",
    "AuditEntry",
    "BundleComponent",
    "BundlePrice",
    "BuyXGetY",
    "Cart",
    "CartLine",
    "CouponRedemption",
    "CouponRequirement",
    "CouponUsage",
    "CouponUse",
    "EvaluationResult",
    "FixedPrice",
    "Funding",
    "InvalidTransition",
    "ItemSet",
    "Limits",
    "LineAdjustment",
    "LineResult",
    "Mechanic",
    "PercentOff",
    "Promotion",
    "PromotionError",
    "PromotionIndex",
    "PromotionVersion",
    "RegionalWindow",
    "Scope",
    "SegregationOfDuties",
    "SpendThreshold",
    "Stacking",
    "Tier",
    "ValidationError",
    "VersionRecord",
    "VersionStatus",
    "Window",
    "decode_promotion_version",
    "encode_promotion_version",
    "evaluate",
    "naive_evaluate",
]
