"""Use cases on the real database: concurrent coupon redemptions, distribution, dispatch, late flags."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import pytest
from canon.master.network import Channel, Node
from canon.master.product import Item, TaxCode
from master_replica import master_replica
from promotion.adapters.http.queries import PromotionQueries
from promotion.adapters.postgres.unit_of_work import PostgresUnitOfWork
from promotion.application.errors import ChannelNotAllowed, CouponLimitReached
from promotion.application.ports import ChannelDelivery, DeliveryFailed
from promotion.application.use_cases.authoring import CreatePromotion, EditPromotion
from promotion.application.use_cases.coupons import RedeemCoupon
from promotion.application.use_cases.dispatch import DispatchDeployments
from promotion.application.use_cases.late import FlagLateDeployments
from promotion.application.use_cases.lifecycle import ChangeLifecycle
from promotion.bootstrap import MIGRATIONS
from retail_platform.database import create_engine, run_migrations, session_factory
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

pytestmark = pytest.mark.integration
NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    await run_migrations(database_url, MIGRATIONS)
    engine = create_engine(database_url)
    factory = session_factory(engine)
    records: list[tuple[str, Any]] = [
        ("item", Item(sku="SODA", name="Soda", category_id="DRINKS")),
        (
            "channel",
            Channel(channel_id="WEB", name="Web", kind="ecommerce", legal_entity_id="LE", currency="USD"),
        ),
        (
            "channel",
            Channel(channel_id="APP", name="App", kind="mobile", legal_entity_id="LE", currency="USD"),
        ),
        ("tax_code", TaxCode(region="TX", tax_class="standard", code="TX", jurisdiction="TX", rate="0.06")),
    ]
    for node_id, region in (("DC1", "TX"), ("DC2", "NV")):
        records.append(
            (
                "node",
                Node(
                    node_id=node_id,
                    name=node_id,
                    kind="dc",
                    region=region,
                    legal_entity_id="LE",
                    timezone="UTC",
                    serves_channels=["WEB", "APP"],
                ),
            )
        )
    async with factory() as session, session.begin():
        for record_type, record in records:
            await session.execute(
                master_replica.insert().values(
                    record_type=record_type,
                    key=record.key,
                    version=1,
                    content=msgspec.to_builtins(record),
                    changed_at=NOW,
                )
            )
    yield factory
    await engine.dispose()


def body(promotion_id: str, **changes: Any) -> dict[str, Any]:
    return {
        "promotion_id": promotion_id,
        "name": promotion_id,
        "window": {
            "start": (NOW - timedelta(minutes=1)).isoformat(),
            "end": (NOW + timedelta(days=1)).isoformat(),
        },
        "mechanic": {"kind": "percent_off", "percent": "10"},
        "scope": {"items": ["SODA"]},
    } | changes


async def live(sessions: async_sessionmaker[AsyncSession], promotion_id: str, **changes: Any) -> None:
    uow = lambda: PostgresUnitOfWork(sessions)  # noqa: E731
    await CreatePromotion(uow)(body(promotion_id, **changes), by="alice")
    lifecycle = ChangeLifecycle(uow)
    await lifecycle(promotion_id, "submit", by="alice")
    await lifecycle(promotion_id, "approve", by="bob")
    await lifecycle(promotion_id, "schedule", by="bob")


async def test_concurrent_redemptions_never_overshoot_the_total_limit(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await live(sessions, "FLASH", coupon={"codes": ["FLASH3"], "multi_use": True, "total_limit": 3})
    redeem = RedeemCoupon(lambda: PostgresUnitOfWork(sessions))
    outcomes = await asyncio.gather(
        *(redeem("FLASH3", f"order-{n}", f"customer-{n}") for n in range(12)), return_exceptions=True
    )
    assert sum(1 for o in outcomes if not isinstance(o, BaseException)) == 3
    assert all(isinstance(o, CouponLimitReached) for o in outcomes if isinstance(o, BaseException))
    async with sessions() as session:
        used = (await session.execute(text("select used from coupon_usage where customer_id = ''"))).scalar()
        rows = (await session.execute(text("select count(*) from coupon_redemptions"))).scalar()
    assert (used, rows) == (3, 3)


class FlakyTransport:
    """WEB's endpoint is down; APP takes everything."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    async def send(self, delivery: ChannelDelivery) -> None:
        if delivery.channel_id == "WEB":
            raise DeliveryFailed("webhook https://web.example answered HTTP 503")
        self.sent.append(delivery.deployment.deployment_id)


async def test_one_failing_channel_does_not_block_the_others_and_late_ones_are_flagged(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await live(sessions, "SODA10")
    uow = lambda: PostgresUnitOfWork(sessions)  # noqa: E731
    transport = FlakyTransport()
    dispatch = DispatchDeployments(uow, lambda channel: transport)
    for _ in range(3):
        await dispatch()
    async with sessions() as session:
        rows = (
            await session.execute(
                text("select channel_id, target, status, reason, attempts from deployments order by 1, 2")
            )
        ).all()
    assert [tuple(row) for row in rows] == [
        ("APP", "NV", "failed", "no tax mapping for tax class 'standard' in region 'NV' (items SODA)", 0),
        ("APP", "TX", "sent", None, 1),
        ("WEB", "NV", "failed", "no tax mapping for tax class 'standard' in region 'NV' (items SODA)", 0),
        ("WEB", "TX", "failed", "webhook https://web.example answered HTTP 503", 3),
    ]
    flagged = await FlagLateDeployments(uow)()
    assert [(d.channel_id, d.target, d.status) for d in flagged] == [("APP", "TX", "sent")]
    assert await FlagLateDeployments(uow)() == []  # flagged once
    async with sessions() as session:
        events = (await session.execute(text("select subject from outbox order by seq"))).scalars().all()
    assert events.count("retail.promotion.deployment_late.v1") == 1
    assert events.count("retail.promotion.version_published.v1") == 1


async def test_withdrawal_goes_where_the_publish_went(sessions: async_sessionmaker[AsyncSession]) -> None:
    await live(sessions, "SODA5")
    uow = lambda: PostgresUnitOfWork(sessions)  # noqa: E731
    await ChangeLifecycle(uow)("SODA5", "withdraw", by="bob", why="pricing error")
    async with sessions() as session:
        rows = (
            await session.execute(
                text("select action, channel_id, target, status from deployments order by 1, 2, 3")
            )
        ).all()
        withdrawn = (
            await session.execute(
                text("select payload from outbox where subject = 'retail.promotion.withdrawn.v1'")
            )
        ).scalar()
    assert [tuple(r) for r in rows if r[0] == "withdraw"] == [
        ("withdraw", "APP", "TX", "pending"),
        ("withdraw", "WEB", "TX", "pending"),
    ]
    assert msgspec.json.decode(withdrawn)["why"] == "pricing error"


async def test_a_key_bound_to_a_channel_authors_and_moves_only_promotions_within_it(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    uow = lambda: PostgresUnitOfWork(sessions)  # noqa: E731
    create, edit, lifecycle = CreatePromotion(uow), EditPromotion(uow), ChangeLifecycle(uow)
    web_only = ("WEB",)
    with pytest.raises(ChannelNotAllowed) as wider:
        await create(
            body("WIDE", scope={"items": ["SODA"], "channels": ["WEB", "APP"]}), by="wes", channels=web_only
        )
    assert wider.value.field == "scope.channels['APP']"
    with pytest.raises(ChannelNotAllowed) as everywhere:
        await create(body("EVERYWHERE"), by="wes", channels=web_only)  # no channels: every channel
    assert everywhere.value.field == "scope.channels"
    async with sessions() as session:
        assert (await session.execute(text("select count(*) from promotion_versions"))).scalar() == 0

    await create(body("WEB5", scope={"items": ["SODA"], "channels": ["WEB"]}), by="wes", channels=web_only)
    with pytest.raises(ChannelNotAllowed):  # an edit may not widen it either
        await edit(
            "WEB5",
            {"scope": {"items": ["SODA"], "channels": ["WEB", "APP"]}},
            by="wes",
            why="more",
            channels=web_only,
        )
    await lifecycle("WEB5", "submit", by="wes", channels=web_only)
    await lifecycle("WEB5", "approve", by="wanda", channels=web_only)

    await create(body("BOTH", scope={"items": ["SODA"], "channels": ["WEB", "APP"]}), by="alice")
    await lifecycle("BOTH", "submit", by="alice")
    with pytest.raises(ChannelNotAllowed) as approval:
        await lifecycle("BOTH", "approve", by="wanda", channels=web_only)
    assert approval.value.field == "scope.channels['APP']"
    with pytest.raises(ChannelNotAllowed):
        await edit("BOTH", {"name": "renamed"}, by="wes", why="typo", channels=web_only)
    await lifecycle("BOTH", "approve", by="bob")  # an unbound key may
    await lifecycle("BOTH", "schedule", by="bob")
    with pytest.raises(ChannelNotAllowed):
        await lifecycle("BOTH", "withdraw", by="wanda", why="web only", channels=web_only)

    queries = PromotionQueries(sessions)
    everything = await queries.deployments("BOTH")
    assert {d["channel_id"] for d in everything} == {"WEB", "APP"}
    web = await queries.deployments("BOTH", lambda channel: channel in web_only)
    assert web == [d for d in everything if d["channel_id"] == "WEB"]
    assert web
