"""The promotion service as its own process on real PostgreSQL and NATS (issue 3 acceptance checks).

One service per module. Master data reaches its replica the way it does in production: as
retail.master.* events on NATS. Channels: the store estate takes its POS feed on a NATS subject and
acknowledges on retail.promotion.channel_ack.v1; the web shop takes a webhook (a tiny HTTP server
here) and acknowledges over REST with a key bound to its channel; the marketplace takes a file drop.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from canon.envelope import Envelope
from canon.events import master_event_type, upserted
from canon.ids import new_id
from canon.master.network import Channel, Node
from canon.master.product import Category, Item, TaxCode
from canon.money import Money
from canon.promotion import CHANNEL_ACK, VERSION_PUBLISHED, BuyXGetYDocument, ChannelAck
from canon.sales import TRANSACTION_RECORDED, SalesLine, SalesTransaction, Tender, TransactionRecorded
from messaging.publisher import Publisher
from messaging.topology import Topology
from nats.aio.client import Client as NatsClient
from promotion.adapters.grpc.client import EvaluationClient
from promotion.domain.cart import Cart, CartLine
from retail_platform.api_keys import ApiKeyStore
from retail_platform.database import create_engine, session_factory
from retail_platform.embedded import free_port
from retail_platform.principal import ApiKeyBindings
from retail_testing.service_process import RunningService, running_service

pytestmark = pytest.mark.integration

NOW = datetime.now(UTC).replace(microsecond=0)
SATURDAY = (NOW + timedelta(days=(5 - NOW.weekday()) % 7 + 7)).replace(hour=0, minute=0, second=0)


class Webshop(BaseHTTPRequestHandler):
    received: list[tuple[str, bytes]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Webshop.received.append((self.headers["X-Retail-Sync-Deployment"], body))
        self.send_response(202)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def webshop() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Webshop)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/promotions"
    server.shutdown()


@pytest.fixture(scope="module")
def service(
    postgres_server_url: str, nats_url: str, tmp_path_factory: pytest.TempPathFactory, webshop: str
) -> Iterator[RunningService]:
    scratch = tmp_path_factory.mktemp("promotion")
    endpoints = {
        "ECOM": {"transport": "webhook", "url": webshop},
        "AMAZON": {"transport": "file", "directory": str(scratch / "amazon-drop")},
        "*": {"transport": "nats"},
    }
    env = {
        "RETAIL_SYNC_PROMOTION_GRPC_PORT": str(free_port()),
        "RETAIL_SYNC_PROMOTION_CHANNEL_ENDPOINTS": json.dumps(endpoints),
    }
    with running_service(
        "promotion", server_url=postgres_server_url, nats_url=nats_url, scratch=scratch, extra_env=env
    ) as running:
        yield running


@pytest.fixture(scope="module")
def keys(service: RunningService) -> dict[str, str]:
    """API keys of the people and systems in the scenario (installed in the service's database)."""

    async def create() -> dict[str, str]:
        engine = create_engine(service.database_url)
        store = ApiKeyStore(session_factory(engine))
        try:
            made = {
                "alice": (await store.create("alice", ["promotion:write", "promotion:read"]))[1],
                "bob": (await store.create("bob", ["promotion:approve", "promotion:read"]))[1],
                "web": (await store.create("webshop", ["promotion:ack"], ApiKeyBindings(channels=("ECOM",))))[
                    1
                ],
                "amazon": (
                    await store.create("amazon", ["promotion:ack"], ApiKeyBindings(channels=("AMAZON",)))
                )[1],
                "pos": (await store.create("pos", ["promotion:redeem", "promotion:read"]))[1],
                "ecom_author": (
                    await store.create(
                        "ecom-author",
                        ["promotion:write", "promotion:read"],
                        ApiKeyBindings(channels=("ECOM",)),
                    )
                )[1],
                "ecom_approver": (
                    await store.create(
                        "ecom-approver",
                        ["promotion:approve", "promotion:read"],
                        ApiKeyBindings(channels=("ECOM",)),
                    )
                )[1],
            }
        finally:
            await engine.dispose()
        return made

    return asyncio.run(create())


@pytest.fixture(scope="module")
def master_data(service: RunningService) -> None:
    """Items, channels, stores and DCs in three regions; US-OR has no tax mapping for food."""
    records: list[Any] = [
        Category(category_id="SNACKS", name="Snacks"),
        Item(sku="CHIPS", name="Chips", category_id="SNACKS", tax_class="food"),
        Item(sku="SODA", name="Soda", category_id="SNACKS", tax_class="standard"),
        Item(sku="OLD-GUM", name="Old gum", category_id="SNACKS", status="inactive"),
        Channel(channel_id="STORES", name="Stores", kind="store", legal_entity_id="LE-US", currency="USD"),
        Channel(
            channel_id="ECOM", name="Web shop", kind="ecommerce", legal_entity_id="LE-US", currency="USD"
        ),
        Channel(
            channel_id="AMAZON", name="Amazon US", kind="marketplace", legal_entity_id="LE-US", currency="USD"
        ),
    ]
    stores = [("S-TX-1", "US-TX", "METRO"), ("S-TX-2", "US-TX", "RURAL"), ("S-CA-1", "US-CA", "METRO")]
    for node_id, region, cluster in stores:
        records.append(
            Node(
                node_id=node_id,
                name=node_id,
                kind="store",
                region=region,
                legal_entity_id="LE-US",
                timezone="America/Chicago",
                store_cluster=cluster,
                serves_channels=["STORES"],
            )
        )
    for node_id, region, channels in (("DC-TX", "US-TX", ["ECOM", "AMAZON"]), ("DC-OR", "US-OR", ["ECOM"])):
        records.append(
            Node(
                node_id=node_id,
                name=node_id,
                kind="dc",
                region=region,
                legal_entity_id="LE-US",
                timezone="America/Los_Angeles",
                serves_channels=channels,
            )
        )
    for region, tax_class in (
        ("US-TX", "food"),
        ("US-TX", "standard"),
        ("US-CA", "food"),
        ("US-CA", "standard"),
    ):
        records.append(
            TaxCode(
                region=region,
                tax_class=tax_class,
                code=f"{region}-{tax_class}",
                jurisdiction=region,
                rate="0.0625",
            )
        )
    records.append(
        TaxCode(region="US-OR", tax_class="standard", code="OR-STD", jurisdiction="US-OR", rate="0")
    )

    async def publish() -> None:
        import nats

        client = await nats.connect(service.process.env["RETAIL_SYNC_NATS_URL"])
        publisher = Publisher(client.jetstream(), Topology(service.namespace))
        for record in records:
            record_type = type(record).__name__.replace("TaxCode", "tax_code").lower()
            event_type = master_event_type(record_type)
            envelope = event_type.envelope("/test/erp", subject=record.key, id=new_id())
            await publisher.publish(envelope, event_type.encode(upserted(record, version=1, changed_at=NOW)))
        await client.close()

    asyncio.run(publish())


def client(service: RunningService, key: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=service.process.base_url, headers={"X-API-Key": key}, timeout=10)


@pytest.fixture
async def alice(
    service: RunningService, keys: dict[str, str], master_data: None
) -> AsyncIterator[httpx.AsyncClient]:
    async with client(service, keys["alice"]) as api:
        yield api


@pytest.fixture
async def bob(service: RunningService, keys: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    async with client(service, keys["bob"]) as api:
        yield api


def promotion_body(promotion_id: str, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "promotion_id": promotion_id,
        "name": "Weekend BOGO on snacks",
        "window": {"start": SATURDAY.isoformat(), "end": (SATURDAY + timedelta(days=2)).isoformat()},
        "mechanic": {"kind": "buy_x_get_y", "buy_qty": 1, "get_qty": 1},
        "scope": {"items": ["CHIPS", "SODA"], "channels": ["STORES", "ECOM", "AMAZON"]},
    }
    return body | changes


async def until(check: Any, timeout_s: float = 20.0) -> Any:
    """Poll an async check until it returns something truthy."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        found = await check()
        if found or asyncio.get_running_loop().time() > deadline:
            return found
        await asyncio.sleep(0.2)


async def create_when_replica_ready(api: httpx.AsyncClient, body: dict[str, Any]) -> httpx.Response:
    """The replica fills asynchronously: retry while master data is still arriving."""

    async def attempt() -> httpx.Response | None:
        response = await api.post("/v1/promotions", json=body)
        return None if response.status_code == 422 and "not in master data" in response.text else response

    response = await until(attempt)
    assert response is not None, "master data never reached the replica"
    return response


async def test_weekend_bogo_deploys_everywhere_but_the_region_without_tax_mapping(
    alice: httpx.AsyncClient,
    bob: httpx.AsyncClient,
    service: RunningService,
    keys: dict[str, str],
    nats_client: NatsClient,
) -> None:
    created = await create_when_replica_ready(alice, promotion_body("BOGO-WKND"))
    assert created.status_code == 201, created.text
    assert (await alice.post("/v1/promotions/BOGO-WKND/submit")).status_code == 200
    by_author = await alice.post("/v1/promotions/BOGO-WKND/approve")
    assert by_author.status_code == 403  # alice lacks the scope; the author check is below
    approved = await bob.post("/v1/promotions/BOGO-WKND/approve", json={"version": 1, "why": "margin ok"})
    assert approved.status_code == 200, approved.text
    scheduled = await bob.post("/v1/promotions/BOGO-WKND/schedule")
    assert scheduled.json()["versions"][0]["status"] == "scheduled"

    # The store estate reads its POS feed from NATS and acknowledges on the ack subject.
    topology = Topology(service.namespace)
    js = nats_client.jetstream()
    feed = await js.pull_subscribe(
        topology.subject("retail.promotion.channel_feed.v1.STORES"), stream=topology.stream("PROMOTION").name
    )
    pos_feeds: list[dict[str, Any]] = []

    async def read_feed() -> bool:
        try:
            for message in await feed.fetch(10, timeout=0.5):
                pos_feeds.append(json.loads(message.data))
                await message.ack()
        except TimeoutError:
            pass
        return len(pos_feeds) >= 3

    assert await until(read_feed)
    assert sorted((f["region"], f["store_cluster"], tuple(f["stores"])) for f in pos_feeds) == [
        ("US-CA", "METRO", ("S-CA-1",)),
        ("US-TX", "METRO", ("S-TX-1",)),
        ("US-TX", "RURAL", ("S-TX-2",)),
    ]
    assert {item["tax_code"] for f in pos_feeds if f["region"] == "US-TX" for item in f["items"]} == {
        "US-TX-food",
        "US-TX-standard",
    }
    for pos_feed in pos_feeds:
        ack = ChannelAck(deployment_id=pos_feed["deployment_id"])
        await js.publish(
            topology.subject(CHANNEL_ACK.subject),
            CHANNEL_ACK.encode(ack),
            headers=CHANNEL_ACK.envelope("/pos/estate", subject=ack.deployment_id, id=new_id()).to_headers(),
        )

    # The web shop got its cart rule by webhook; the marketplace its feed as a file.
    assert await until(lambda: _async(len(Webshop.received) >= 1))
    web_deployment, web_body = Webshop.received[0]
    assert json.loads(web_body)["action"]["type"] == "buy_x_get_y"
    drop = Path(service.process.log_path).parent / "amazon-drop"
    assert await until(lambda: _async(bool(list(drop.glob("*.tsv")))))
    amazon_feed = next(drop.glob("*.tsv")).read_text().splitlines()
    assert amazon_feed[0].split("\t")[:3] == ["format", "deployment_id", "action"]
    assert sorted(row.split("\t")[5] for row in amazon_feed[1:]) == ["CHIPS", "SODA"]
    amazon_deployment = amazon_feed[1].split("\t")[1]
    async with client(service, keys["amazon"]) as amazon, client(service, keys["web"]) as web:
        other_channel = await web.post(f"/v1/deployments/{amazon_deployment}/acknowledgements", json={})
        assert other_channel.status_code == 404  # a key bound to ECOM cannot touch AMAZON's deployment
        assert (
            await web.post(f"/v1/deployments/{web_deployment}/acknowledgements", json={})
        ).status_code == 200
        assert (
            await amazon.post(f"/v1/deployments/{amazon_deployment}/acknowledgements", json={})
        ).status_code == 200

    async def settled() -> list[dict[str, Any]] | None:
        deployments = (await bob.get("/v1/promotions/BOGO-WKND/deployments")).json()
        return deployments if all(d["status"] in ("acknowledged", "failed") for d in deployments) else None

    deployments = await until(settled)
    assert deployments is not None
    outcome = sorted((d["channel_id"], d["target"], d["status"]) for d in deployments)
    assert outcome == [
        ("AMAZON", "US-TX", "acknowledged"),
        ("ECOM", "US-OR", "failed"),
        ("ECOM", "US-TX", "acknowledged"),
        ("STORES", "US-CA/METRO", "acknowledged"),
        ("STORES", "US-TX/METRO", "acknowledged"),
        ("STORES", "US-TX/RURAL", "acknowledged"),
    ]
    failed = next(d for d in deployments if d["status"] == "failed")
    assert failed["reason"] == "no tax mapping for tax class 'food' in region 'US-OR' (items CHIPS)"
    assert all(d["late_flagged_at"] is None for d in deployments)  # acknowledged before the weekend

    audit = (await bob.get("/v1/promotions/BOGO-WKND/audit")).json()
    approval = next(entry for entry in audit if entry["action"] == "approve")
    assert (approval["version"], approval["by"], approval["why"]) == (1, "bob", "margin ok")
    assert datetime.fromisoformat(approval["at"]) >= NOW
    assert [(e["action"], e["by"]) for e in audit] == [
        ("create", "alice"),
        ("submit", "alice"),
        ("approve", "bob"),
        ("schedule", "bob"),
    ]

    published = await _events(nats_client, service, VERSION_PUBLISHED.subject, "BOGO-WKND:v1")
    payload = VERSION_PUBLISHED.decode(published[0])
    assert (payload.promotion_id, payload.version, payload.approved_by, payload.author) == (
        "BOGO-WKND",
        1,
        "bob",
        "alice",
    )
    assert payload.content.mechanic == BuyXGetYDocument(buy_qty=1, get_qty=1)


async def _async(value: Any) -> Any:
    return value


async def _events(
    nats_client: NatsClient, service: RunningService, subject: str, ce_subject: str
) -> list[bytes]:
    topology = Topology(service.namespace)
    subscription = await nats_client.jetstream().pull_subscribe(
        topology.subject(subject), stream=topology.stream("PROMOTION").name
    )
    found: list[bytes] = []

    async def fetch() -> bool:
        try:
            for message in await subscription.fetch(20, timeout=0.5):
                if Envelope.from_headers(message.headers or {}).subject == ce_subject:
                    found.append(message.data)
                await message.ack()
        except TimeoutError:
            pass
        return bool(found)

    await until(fetch)
    return found


async def test_the_author_cannot_approve_their_own_version(
    service: RunningService, alice: httpx.AsyncClient
) -> None:
    admin = client(service, service.admin_key)  # owner "bootstrap", holds every scope
    async with admin:
        created = await create_when_replica_ready(admin, promotion_body("SELF-APPROVE"))
        assert created.status_code == 201
        await admin.post("/v1/promotions/SELF-APPROVE/submit")
        refused = await admin.post("/v1/promotions/SELF-APPROVE/approve")
        assert refused.status_code == 403
        assert refused.json()["errors"] == [
            {
                "field": "approver",
                "reason": "bootstrap authored version 1 and cannot approve it: approval needs a second user",
            }
        ]
        view = (await admin.get("/v1/promotions/SELF-APPROVE")).json()
        assert view["versions"][0]["status"] == "submitted"
        assert [e["action"] for e in (await admin.get("/v1/promotions/SELF-APPROVE/audit")).json()] == [
            "create",
            "submit",
        ]


async def test_a_key_bound_to_a_channel_authors_approves_and_lists_only_within_it(
    service: RunningService, keys: dict[str, str], alice: httpx.AsyncClient, bob: httpx.AsyncClient
) -> None:
    await create_when_replica_ready(alice, promotion_body("WARM-UP"))
    ecom_only = {"items": ["CHIPS"], "channels": ["ECOM"]}
    async with (
        client(service, keys["ecom_author"]) as author,
        client(service, keys["ecom_approver"]) as approver,
    ):
        wide = await author.post("/v1/promotions", json=promotion_body("ECOM-WIDE"))
        assert wide.status_code == 403, wide.text
        assert [e["field"] for e in wide.json()["errors"]] == ["scope.channels['AMAZON']"]
        assert (await author.get("/v1/promotions/ECOM-WIDE")).status_code == 404  # nothing stored
        own = await author.post("/v1/promotions", json=promotion_body("ECOM-ONLY", scope=ecom_only))
        assert own.status_code == 201, own.text
        assert (await author.post("/v1/promotions/ECOM-ONLY/submit")).status_code == 200
        assert (await approver.post("/v1/promotions/ECOM-ONLY/approve")).status_code == 200

        assert (await alice.post("/v1/promotions", json=promotion_body("THREE-CHANNELS"))).status_code == 201
        refused = await author.post("/v1/promotions/THREE-CHANNELS/submit")
        assert refused.status_code == 403, refused.text
        assert (await alice.post("/v1/promotions/THREE-CHANNELS/submit")).status_code == 200
        refused = await approver.post("/v1/promotions/THREE-CHANNELS/approve")
        assert refused.status_code == 403
        assert [e["field"] for e in refused.json()["errors"]] == ["scope.channels['AMAZON']"]
        assert (await bob.post("/v1/promotions/THREE-CHANNELS/approve")).status_code == 200
        assert (await bob.post("/v1/promotions/THREE-CHANNELS/schedule")).status_code == 200

        everything = (await bob.get("/v1/promotions/THREE-CHANNELS/deployments")).json()
        assert {d["channel_id"] for d in everything} == {"STORES", "ECOM", "AMAZON"}
        listed = await approver.get("/v1/promotions/THREE-CHANNELS/deployments")
        assert listed.status_code == 200
        ecom = [d["deployment_id"] for d in everything if d["channel_id"] == "ECOM"]
        assert [d["deployment_id"] for d in listed.json()] == ecom != []  # statuses move on meanwhile


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"scope": {"items": ["CHIPS", "NO-SUCH-SKU"]}}, "scope.items['NO-SUCH-SKU']"),
        ({"window": {"start": "2025-03-08T00:00:00Z", "end": "2025-03-01T00:00:00Z"}}, "window.end"),
        ({"mechanic": {"kind": "half_off"}}, "mechanic.kind"),
        ({"scope": {"channels": ["FAX"]}}, "scope.channels['FAX']"),
    ],
)
async def test_bad_input_names_the_field_and_stores_nothing(
    alice: httpx.AsyncClient, changes: dict[str, Any], field: str
) -> None:
    promotion_id = f"BAD-{abs(hash(field)) % 10_000}"
    await create_when_replica_ready(alice, promotion_body("WARM-UP"))
    response = await alice.post("/v1/promotions", json=promotion_body(promotion_id, **changes))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert [error["field"] for error in response.json()["errors"]] == [field]
    assert (await alice.get(f"/v1/promotions/{promotion_id}")).status_code == 404


async def test_create_replays_with_its_idempotency_key(alice: httpx.AsyncClient) -> None:
    await create_when_replica_ready(alice, promotion_body("WARM-UP"))
    body = promotion_body("IDEM-1")
    first = await alice.post("/v1/promotions", json=body, headers={"Idempotency-Key": "create-idem-1"})
    assert first.status_code == 201
    again = await alice.post("/v1/promotions", json=body, headers={"Idempotency-Key": "create-idem-1"})
    assert again.headers.get("Idempotency-Replayed") == "true"
    assert again.content == first.content
    other = await alice.post(
        "/v1/promotions", json=promotion_body("IDEM-2"), headers={"Idempotency-Key": "create-idem-1"}
    )
    assert other.status_code == 422  # the same key with another body


async def _live_coupon_promotion(
    alice: httpx.AsyncClient, bob: httpx.AsyncClient, promotion_id: str, code: str
) -> None:
    body = promotion_body(
        promotion_id,
        window={
            "start": (NOW - timedelta(hours=1)).isoformat(),
            "end": (NOW + timedelta(days=1)).isoformat(),
        },
        mechanic={"kind": "percent_off", "percent": "10"},
        coupon={"codes": [code], "multi_use": False},
    )
    assert (await create_when_replica_ready(alice, body)).status_code == 201
    await alice.post(f"/v1/promotions/{promotion_id}/submit")
    assert (await bob.post(f"/v1/promotions/{promotion_id}/approve")).status_code == 200
    assert (await bob.post(f"/v1/promotions/{promotion_id}/schedule")).status_code == 200


async def test_a_single_use_coupon_is_refused_the_second_time(
    alice: httpx.AsyncClient, bob: httpx.AsyncClient, service: RunningService, keys: dict[str, str]
) -> None:
    await _live_coupon_promotion(alice, bob, "COUPON-ONCE", "WELCOME10")
    async with client(service, keys["pos"]) as pos:
        first = await pos.post("/v1/coupon-redemptions", json={"code": "WELCOME10", "reference": "order-1"})
        assert first.status_code == 201, first.text
        repeat = await pos.post("/v1/coupon-redemptions", json={"code": "WELCOME10", "reference": "order-1"})
        assert repeat.status_code == 201  # the same sale again: no second redemption
        second = await pos.post("/v1/coupon-redemptions", json={"code": "WELCOME10", "reference": "order-2"})
        assert second.status_code == 409
        assert second.json()["errors"][0]["field"] == "code"
        assert "limit is used up (1 redeemed in total" in second.json()["detail"]


async def test_a_recorded_sale_redeems_its_coupon(
    alice: httpx.AsyncClient,
    bob: httpx.AsyncClient,
    service: RunningService,
    keys: dict[str, str],
    nats_client: NatsClient,
) -> None:
    await _live_coupon_promotion(alice, bob, "COUPON-SALE", "SPRING5")
    sale = SalesTransaction(
        source_system="pos",
        document_id="R-1001",
        kind="sale",
        order_id="R-1001",
        channel_id="STORES",
        node_id="S-TX-1",
        legal_entity_id="LE-US",
        currency="USD",
        business_date=NOW.date(),
        occurred_at=NOW,
        lines=[SalesLine(line_id="1", sku="SODA", quantity=1, unit_price=Money(200, "USD"))],
        tenders=[Tender(tender_id="t1", kind="cash", amount=Money(200, "USD"))],
        coupons=["SPRING5"],
    )
    topology = Topology(service.namespace)
    event = TransactionRecorded(transaction=sale, recorded_at=NOW)
    envelope = TRANSACTION_RECORDED.envelope("/order_ledger", subject="R-1001", id=new_id())
    await Publisher(nats_client.jetstream(), topology).publish(envelope, TRANSACTION_RECORDED.encode(event))
    async with client(service, keys["pos"]) as pos:

        async def refused() -> bool:
            response = await pos.post(
                "/v1/coupon-redemptions", json={"code": "SPRING5", "reference": "other-sale"}
            )
            return response.status_code == 409

        assert await until(refused)


async def test_evaluate_cart_over_grpc_and_rest(
    alice: httpx.AsyncClient, bob: httpx.AsyncClient, service: RunningService, keys: dict[str, str]
) -> None:
    body = promotion_body(
        "SODA-BOGO-NOW",
        window={
            "start": (NOW - timedelta(hours=1)).isoformat(),
            "end": (NOW + timedelta(days=1)).isoformat(),
        },
        scope={"items": ["SODA"], "channels": ["STORES"]},
    )
    assert (await create_when_replica_ready(alice, body)).status_code == 201
    await alice.post("/v1/promotions/SODA-BOGO-NOW/submit")
    await bob.post("/v1/promotions/SODA-BOGO-NOW/approve")
    await bob.post("/v1/promotions/SODA-BOGO-NOW/schedule")
    cart = Cart(
        channel="STORES",
        instant=datetime.now(UTC),
        currency="USD",
        node="S-TX-1",
        lines=[
            CartLine(line_id="a", sku="SODA", category_id="SNACKS", qty=3, unit_price=Money(250, "USD")),
            CartLine(line_id="b", sku="CHIPS", category_id="SNACKS", qty=1, unit_price=Money(400, "USD")),
        ],
    )
    target = f"127.0.0.1:{service.process.env['RETAIL_SYNC_PROMOTION_GRPC_PORT']}"
    async with EvaluationClient(target, api_key=keys["bob"]) as grpc_client:

        async def discounted() -> Any:
            response = await grpc_client.evaluate(cart)
            return response if response.total_discount_minor else None

        response = await until(discounted)
    assert response is not None, "the scheduled version never went active"
    assert response.total_discount_minor == 250  # 3 sodas: one free, the third has no partner
    soda = response.lines[0]
    assert (soda.line_id, soda.gross_minor, soda.net_minor) == ("a", 750, 500)
    assert [(a.promotion_id, a.version, a.units) for a in soda.adjustments] == [("SODA-BOGO-NOW", 1, 1)]
    assert soda.adjustments[0].accounting.gl_discount_account == "promotional_discount"
    rest = await bob.post(
        "/v1/evaluations",
        json={
            "channel": "STORES",
            "instant": datetime.now(UTC).isoformat(),
            "currency": "USD",
            "node": "S-TX-1",
            "lines": [
                {
                    "line_id": "a",
                    "sku": "SODA",
                    "category_id": "SNACKS",
                    "qty": 2,
                    "unit_price": {"amount_minor": 250, "currency": "USD"},
                }
            ],
        },
    )
    assert rest.status_code == 200, rest.text
    assert rest.json()["total_discount"] == {"amount_minor": 250, "currency": "USD"}
    bad = await bob.post(
        "/v1/evaluations",
        json={
            "channel": "STORES",
            "instant": "2025-03-01T00:00:00Z",
            "currency": "USD",
            "lines": [
                {
                    "line_id": "a",
                    "sku": "SODA",
                    "category_id": "SNACKS",
                    "qty": 0,
                    "unit_price": {"amount_minor": 1, "currency": "USD"},
                }
            ],
        },
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "lines[0].qty"
