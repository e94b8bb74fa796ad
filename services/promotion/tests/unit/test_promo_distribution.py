"""Distribution planning: targets from master-data nodes, per-target validation, channel payloads."""

import csv
import io
import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from canon.master.network import Channel, Node
from canon.master.product import Item, TaxCode
from promotion.domain import BuyXGetY, PercentOff, PromotionVersion, Scope, Window
from promotion.domain.distribution.deployment import Deployment
from promotion.domain.distribution.master_view import MasterView
from promotion.domain.distribution.payloads import render_payload
from promotion.domain.distribution.targets import plan_targets
from promotion.domain.distribution.validation import target_problem
from promotion.domain.errors import InvalidTransition

START, END = datetime(2025, 3, 8, tzinfo=UTC), datetime(2025, 3, 10, tzinfo=UTC)


def node(
    node_id: str, region: str, channels: list[str], cluster: str | None = None, kind: str = "store"
) -> Node:
    return Node(
        node_id=node_id,
        name=node_id,
        kind=kind,  # type: ignore[arg-type]
        region=region,
        legal_entity_id="LE",
        timezone="UTC",
        store_cluster=cluster,
        serves_channels=channels,
    )


MASTER = MasterView(
    items={
        "CHIPS": Item(sku="CHIPS", name="Chips", category_id="SNACKS", tax_class="food"),
        "GUM": Item(sku="GUM", name="Gum", category_id="SNACKS", status="inactive"),
    },
    channels={
        "STORES": Channel(channel_id="STORES", name="S", kind="store", legal_entity_id="LE", currency="USD"),
        "WEB": Channel(channel_id="WEB", name="W", kind="ecommerce", legal_entity_id="LE", currency="USD"),
        "APP": Channel(channel_id="APP", name="A", kind="mobile", legal_entity_id="LE", currency="USD"),
        "MKT": Channel(channel_id="MKT", name="M", kind="marketplace", legal_entity_id="LE", currency="USD"),
    },
    nodes=[
        node("S1", "TX", ["STORES"], "METRO"),
        node("S2", "TX", ["STORES"], "METRO"),
        node("S3", "TX", ["STORES"]),
        node("S4", "CA", ["STORES"], "METRO"),
        node("DC1", "TX", ["WEB", "MKT", "APP"], kind="dc"),
        node("DC2", "OR", ["WEB"], kind="dc"),
    ],
    tax_codes={
        (r, c): TaxCode(region=r, tax_class=c, code=f"{r}-{c}", jurisdiction=r, rate="0.05")
        for r, c in (("TX", "food"), ("CA", "food"), ("OR", "standard"))
    },
)


def bogo(**scope: frozenset[str]) -> PromotionVersion:
    return PromotionVersion(
        promotion_id="BOGO",
        version=2,
        name="Weekend BOGO",
        window=Window(start=START, end=END),
        mechanic=BuyXGetY(buy_qty=1, get_qty=1),
        scope=Scope(items=frozenset({"CHIPS"}), **scope),
    )


def test_targets_are_store_clusters_for_stores_and_regions_for_other_channels() -> None:
    targets, untargeted = plan_targets(bogo().scope, MASTER)
    assert [(t.channel.channel_id, t.name, t.stores) for t in targets] == [
        ("APP", "TX", ()),
        ("MKT", "TX", ()),
        ("STORES", "CA/METRO", ("S4",)),
        ("STORES", "TX", ("S3",)),
        ("STORES", "TX/METRO", ("S1", "S2")),
        ("WEB", "OR", ()),
        ("WEB", "TX", ()),
    ]
    assert untargeted == []


def test_scope_regions_clusters_and_channels_narrow_the_targets() -> None:
    scope = bogo(channels=frozenset({"STORES", "WEB", "POS2"}), regions=frozenset({"TX"})).scope
    targets, untargeted = plan_targets(scope, MASTER)
    assert [(t.channel.channel_id, t.name) for t in targets] == [
        ("STORES", "TX"),
        ("STORES", "TX/METRO"),
        ("WEB", "TX"),
    ]
    assert untargeted == [("POS2", "channel 'POS2' is not in master data")]
    clusters = bogo(channels=frozenset({"STORES", "APP"}), store_clusters=frozenset({"METRO"})).scope
    targets, untargeted = plan_targets(clusters, MASTER)
    assert [t.name for t in targets] == ["CA/METRO", "TX/METRO"]
    assert untargeted == [("APP", "no node serves channel 'APP' in the promotion's scope")]


def test_a_region_without_the_tax_mapping_fails_only_that_target() -> None:
    targets, _ = plan_targets(bogo().scope, MASTER)
    problems = {(t.channel.channel_id, t.name): target_problem(bogo(), t, MASTER) for t in targets}
    assert problems.pop(("WEB", "OR")) == "no tax mapping for tax class 'food' in region 'OR' (items CHIPS)"
    assert set(problems.values()) == {None}


def test_inactive_and_unknown_items_fail_every_target() -> None:
    version = PromotionVersion(
        promotion_id="P",
        version=1,
        name="P",
        window=Window(start=START, end=END),
        mechanic=PercentOff(percent=Decimal(10)),
        scope=Scope(items=frozenset({"GUM", "NOPE"})),
    )
    targets, _ = plan_targets(version.scope, MASTER)
    assert {target_problem(version, t, MASTER) for t in targets} == {
        "item 'GUM' is inactive; item 'NOPE' is not in master data"
    }


def test_each_channel_kind_gets_its_format() -> None:
    targets, _ = plan_targets(bogo().scope, MASTER)
    by_key = {(t.channel.channel_id, t.name): t for t in targets}
    pos = json.loads(render_payload("publish", bogo(), by_key[("STORES", "TX/METRO")], MASTER, "d1").content)
    assert (pos["format"], pos["action"], pos["stores"], pos["items"]) == (
        "retail-sync.pos-feed.v1",
        "upsert",
        ["S1", "S2"],
        [{"sku": "CHIPS", "tax_code": "TX-food"}],
    )
    assert pos["rule"]["mechanic"]["kind"] == "buy_x_get_y"
    assert pos["effective"] == {"start": "2025-03-08T00:00:00Z", "end": "2025-03-10T00:00:00Z"}
    rule = json.loads(render_payload("withdraw", bogo(), by_key[("WEB", "TX")], MASTER, "d2").content)
    assert (rule["rule_id"], rule["is_active"], rule["action"]["discount_step"]) == ("BOGO:v2", False, 1)
    offer = json.loads(render_payload("publish", bogo(), by_key[("APP", "TX")], MASTER, "d3").content)
    assert (offer["badge"], offer["status"]) == ("BOGO FREE", "live")
    feed = render_payload("publish", bogo(), by_key[("MKT", "TX")], MASTER, "d4")
    rows = list(csv.DictReader(io.StringIO(feed.content.decode()), delimiter="\t"))
    assert feed.content_type == "text/tab-separated-values"
    assert [(r["sku"], r["promotion_type"], r["buy_qty"], r["get_qty"], r["action"]) for r in rows] == [
        ("CHIPS", "buy_x_get_y", "1", "1", "add")
    ]


def test_the_same_version_renders_the_same_bytes() -> None:
    targets, _ = plan_targets(bogo().scope, MASTER)
    for target in targets:
        first = render_payload("publish", bogo(), target, MASTER, "d").content
        assert render_payload("publish", bogo(), target, MASTER, "d").content == first


def deployment(status: str = "pending") -> Deployment:
    return Deployment(
        deployment_id="d",
        promotion_id="P",
        version=1,
        action="publish",
        channel_id="WEB",
        channel_kind="ecommerce",
        target="TX",
        region="TX",
        store_cluster=None,
        status=status,  # type: ignore[arg-type]
        starts_at=START,
        updated_at=START,
    )


def test_deployment_moves_pending_sent_acknowledged_and_is_late_until_then() -> None:
    sent = deployment().sent(START)
    assert (sent.status, sent.attempts) == ("sent", 1)
    assert sent.is_late(START)
    acknowledged = sent.acknowledged(END)
    assert acknowledged.status == "acknowledged"
    assert acknowledged.acknowledged(END) is acknowledged
    assert not acknowledged.is_late(END)
    with pytest.raises(InvalidTransition):
        acknowledged.failed(END, "too late")
    with pytest.raises(InvalidTransition):
        deployment("failed").acknowledged(END)
    assert deployment().failed(END, "HTTP 500").reason == "HTTP 500"
