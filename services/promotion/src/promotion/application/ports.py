"""Ports the use cases need; adapters under `promotion.adapters` implement them."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Protocol

from canon.envelope import Envelope

from promotion.domain.cart import CouponUse
from promotion.domain.distribution.deployment import Deployment
from promotion.domain.distribution.master_view import MasterView
from promotion.domain.promotion import Promotion


class Promotions(Protocol):
    """Promotion aggregates; changes persist only on UnitOfWork.commit()."""

    async def get(self, promotion_id: str) -> Promotion | None:
        """The aggregate, locked against concurrent lifecycle changes until the unit of work ends."""
        ...

    async def add(self, promotion: Promotion) -> None:
        """Store a new promotion; raises DuplicatePromotion if the id exists."""
        ...

    async def save(self, promotion: Promotion) -> None:
        """Store new versions, changed statuses and new audit entries of a loaded aggregate."""
        ...

    async def code_owners(self, codes: Collection[str]) -> dict[str, str]:
        """Coupon code -> the promotion that owns it."""
        ...

    async def due_for_schedule(self, now: datetime) -> list[str]:
        """Promotions with a scheduled version whose window opened, or an active one whose window closed."""
        ...


class Deployments(Protocol):
    async def add_all(self, deployments: list[Deployment]) -> list[Deployment]:
        """Store new deployments; ones whose id exists are skipped. Returns those stored now."""
        ...

    async def get(self, deployment_id: str) -> Deployment | None:
        """The deployment, locked until the unit of work ends."""
        ...

    async def save(self, deployment: Deployment) -> None: ...

    async def claim_pending(self, limit: int) -> list[Deployment]:
        """Pending deployments no other dispatcher holds (locked, skipping locked rows)."""
        ...

    async def late(self, now: datetime) -> list[Deployment]:
        """Unacknowledged publish deployments whose start passed and that were not flagged yet."""
        ...

    async def of_version(self, promotion_id: str, version: int) -> list[Deployment]: ...


@dataclass(frozen=True)
class RedemptionRecord:
    code: str
    reference: str
    promotion_id: str
    version: int
    customer_id: str | None
    redeemed_at: datetime
    source: str
    over_limit: bool = False


class Coupons(Protocol):
    async def usage(self, codes: Collection[str], customer_id: str | None) -> dict[str, CouponUse]:
        """Redemptions so far (no lock: for evaluation)."""
        ...

    async def lock_usage(self, code: str, customer_id: str | None) -> CouponUse:
        """Usage of one code, locked until the unit of work ends (serialises redemptions of a code)."""
        ...

    async def find(self, code: str, reference: str) -> RedemptionRecord | None: ...

    async def record(self, redemption: RedemptionRecord) -> None:
        """Store the redemption and count it (total and per customer)."""
        ...


class MasterData(Protocol):
    """The local replica of master data."""

    async def view(self, skus: Collection[str]) -> MasterView:
        """Those items (the ones that exist), every channel, node and tax code."""
        ...

    async def existing(self, record_type: str, keys: Collection[str]) -> set[str]: ...


class EventOutbox(Protocol):
    async def add(self, envelope: Envelope, payload: bytes) -> None: ...


class UnitOfWork(Protocol):
    @property
    def promotions(self) -> Promotions: ...

    @property
    def deployments(self) -> Deployments: ...

    @property
    def coupons(self) -> Coupons: ...

    @property
    def master(self) -> MasterData: ...

    @property
    def outbox(self) -> EventOutbox: ...

    async def __aenter__(self) -> UnitOfWork: ...

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Rolls back whatever was not committed."""
        ...

    async def commit(self) -> None: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self) -> UnitOfWork: ...


@dataclass(frozen=True)
class ChannelDelivery:
    deployment: Deployment
    channel_id: str


class DeliveryFailed(Exception):  # noqa: N818
    """The channel transport could not deliver; ``permanent`` failures are not retried."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


class ChannelTransport(Protocol):
    """Delivers a deployment's payload to its channel (webhook, file drop, NATS subject ...)."""

    async def send(self, delivery: ChannelDelivery) -> None:
        """Raises DeliveryFailed when the channel did not take it."""
        ...
