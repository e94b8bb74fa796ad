"""``retail.promotion.*`` event payloads: published versions, withdrawals, channel deployments.

:class:`PromotionDocument` is the published contract of one immutable promotion version (the
promotion service validates it; these types only describe its JSON). The order ledger and
reconciliation resolve a ``(promotion_id, version)`` named by a sales discount from
``version_published`` events: funding (vendor claims) and accounting treatment come from here.
Channels acknowledge a deployment with ``channel_ack`` (or over REST).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

import msgspec

from canon.event_type import EventType, register
from canon.money import Money


class ItemSetDocument(msgspec.Struct, frozen=True, kw_only=True):
    skus: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()


class PercentOffDocument(msgspec.Struct, frozen=True, kw_only=True, tag_field="kind", tag="percent_off"):
    percent: Decimal


class AmountOffDocument(msgspec.Struct, frozen=True, kw_only=True, tag_field="kind", tag="amount_off"):
    amount: Money
    per: Literal["unit", "line", "order"]


class FixedPriceDocument(msgspec.Struct, frozen=True, kw_only=True, tag_field="kind", tag="fixed_price"):
    price: Money


class BuyXGetYDocument(msgspec.Struct, frozen=True, kw_only=True, tag_field="kind", tag="buy_x_get_y"):
    buy_qty: int
    get_qty: int
    get_percent_off: Decimal = Decimal(100)
    buy_set: ItemSetDocument = ItemSetDocument()
    get_set: ItemSetDocument | None = None
    repeatable: bool = True
    get_units: Literal["cheapest", "most_expensive"] = "cheapest"


class BundleComponentDocument(msgspec.Struct, frozen=True, kw_only=True):
    items: ItemSetDocument
    qty: int


class BundlePriceDocument(msgspec.Struct, frozen=True, kw_only=True, tag_field="kind", tag="bundle_price"):
    components: list[BundleComponentDocument]
    price: Money


class TierDocument(msgspec.Struct, frozen=True, kw_only=True):
    threshold: Money
    percent_off: Decimal | None = None
    amount_off: Money | None = None


class SpendThresholdDocument(
    msgspec.Struct, frozen=True, kw_only=True, tag_field="kind", tag="spend_threshold"
):
    tiers: list[TierDocument]


MechanicDocument = (
    PercentOffDocument
    | AmountOffDocument
    | FixedPriceDocument
    | BuyXGetYDocument
    | BundlePriceDocument
    | SpendThresholdDocument
)


class RegionalWindowDocument(msgspec.Struct, frozen=True, kw_only=True):
    local_start: datetime
    """Store-local wall-clock time (no offset) in ``timezone``."""
    local_end: datetime
    timezone: str


class WindowDocument(msgspec.Struct, frozen=True, kw_only=True):
    start: datetime
    end: datetime
    regional_windows: dict[str, RegionalWindowDocument] = {}


class ScopeDocument(msgspec.Struct, frozen=True, kw_only=True):
    """An empty list means "all"; exclusions win."""

    channels: frozenset[str] = frozenset()
    regions: frozenset[str] = frozenset()
    store_clusters: frozenset[str] = frozenset()
    items: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()
    excluded_items: frozenset[str] = frozenset()
    excluded_categories: frozenset[str] = frozenset()


class StackingDocument(msgspec.Struct, frozen=True, kw_only=True):
    exclusive: bool = False
    stacking_group: str | None = None
    priority: int = 100


class LimitsDocument(msgspec.Struct, frozen=True, kw_only=True):
    max_units_per_line: int | None = None
    max_units_per_transaction: int | None = None


class CouponRequirementDocument(msgspec.Struct, frozen=True, kw_only=True):
    codes: frozenset[str]
    multi_use: bool = False
    per_customer_limit: int | None = None
    total_limit: int | None = None


class FundingDocument(msgspec.Struct, frozen=True, kw_only=True):
    source: Literal["retailer", "vendor"] = "retailer"
    vendor_id: str | None = None
    share_pct: Decimal = Decimal(0)


class AccountingDocument(msgspec.Struct, frozen=True, kw_only=True):
    gl_discount_account: Literal["promotional_discount", "markdown"] = "promotional_discount"
    reduces_tax_base: bool = True


class PromotionDocument(msgspec.Struct, frozen=True, kw_only=True):
    """One immutable promotion version, as the promotion service's API and events carry it."""

    promotion_id: str
    version: int
    name: str
    window: WindowDocument
    mechanic: MechanicDocument
    description: str = ""
    scope: ScopeDocument = ScopeDocument()
    stacking: StackingDocument = StackingDocument()
    limits: LimitsDocument = LimitsDocument()
    coupon: CouponRequirementDocument | None = None
    funding: FundingDocument = FundingDocument()
    accounting: AccountingDocument = AccountingDocument()


class PromotionVersionPublished(msgspec.Struct, frozen=True, kw_only=True):
    """A version was approved by a second user: it is offered to channels from its window on."""

    promotion_id: str
    version: int
    author: str
    approved_by: str
    approved_at: datetime
    content: PromotionDocument


class PromotionWithdrawn(msgspec.Struct, frozen=True, kw_only=True):
    """``version`` was withdrawn; ``restored_version`` is live again (rollback), or None (off)."""

    promotion_id: str
    version: int
    by: str
    at: datetime
    why: str
    restored_version: int | None = None


DeploymentAction = Literal["publish", "withdraw"]
DeploymentStatus = Literal["pending", "sent", "acknowledged", "failed"]


class DeploymentStatusChanged(msgspec.Struct, frozen=True, kw_only=True):
    """One (channel, target) deployment of a version moved; ``reason`` says why it failed."""

    deployment_id: str
    promotion_id: str
    version: int
    action: DeploymentAction
    channel_id: str
    target: str
    """A region (``US-TX``) or a region and store cluster (``US-TX/METRO``)."""
    status: DeploymentStatus
    at: datetime
    reason: str | None = None


class DeploymentLate(msgspec.Struct, frozen=True, kw_only=True):
    """A deployment was not acknowledged by the instant the version starts in its target."""

    deployment_id: str
    promotion_id: str
    version: int
    channel_id: str
    target: str
    status: DeploymentStatus
    starts_at: datetime
    flagged_at: datetime


class ChannelAck(msgspec.Struct, frozen=True, kw_only=True):
    """Sent by a channel (or its integration) once it applied, or refused, a deployment payload."""

    deployment_id: str
    accepted: bool = True
    reason: str | None = None


VERSION_PUBLISHED = register(
    EventType(
        context="promotion",
        name="version_published",
        version=1,
        payload=PromotionVersionPublished,
        description="A promotion version was approved; the payload carries the full immutable version.",
    )
)
WITHDRAWN = register(
    EventType(
        context="promotion",
        name="withdrawn",
        version=1,
        payload=PromotionWithdrawn,
        description="A live promotion version was withdrawn (rolled back to an earlier version, or off).",
    )
)
DEPLOYMENT_STATUS_CHANGED = register(
    EventType(
        context="promotion",
        name="deployment_status_changed",
        version=1,
        payload=DeploymentStatusChanged,
        description="A channel deployment of a promotion version changed status (sent, acknowledged ...).",
    )
)
DEPLOYMENT_LATE = register(
    EventType(
        context="promotion",
        name="deployment_late",
        version=1,
        payload=DeploymentLate,
        description="A channel deployment was not acknowledged by the promotion's start instant.",
    )
)
CHANNEL_ACK = register(
    EventType(
        context="promotion",
        name="channel_ack",
        version=1,
        payload=ChannelAck,
        description="Published by a channel integration: it applied (or refused) a deployment payload.",
    )
)
