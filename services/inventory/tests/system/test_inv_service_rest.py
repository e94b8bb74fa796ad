"""The inventory service's REST API as its own process: batches, snapshots and drift, reservations,
availability per channel, scopes and channel bindings."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from canon.inventory import DRIFT_DETECTED, SHIPPED
from canon.money import Money

pytestmark = pytest.mark.integration

T = "2026-01-05T{:02}:00:00Z"


def movement(
    type_: str, key: str, hour: int, sku: str = "LAMP", node: str = "DC1", **fields: Any
) -> dict[str, Any]:
    common = {
        "idempotency_key": key,
        "source_system": "wms",
        "occurred_at": T.format(hour),
        "sku": sku,
        "node": node,
    }
    return {"type": type_, **common, **fields}


async def test_ready_includes_consumers_and_openapi_lists_the_api(inv: Any) -> None:
    async with inv.http() as api:
        ready = (await api.get("/health/ready")).json()
        paths = (await api.get("/schema/openapi.json")).json()["paths"]
    assert ready["status"] == "ready"
    assert set(ready["checks"]) == {"database", "nats", "background", "consumers", "grpc"}
    assert {"/v1/movements/batches", "/v1/snapshots/imports", "/v1/reservations", "/v1/drift-rates"} <= set(
        paths
    )


async def test_batch_keeps_good_records_and_names_each_bad_one(inv: Any) -> None:
    records = [
        movement("receipt", "b-1", 10, sku="BULK", qty=10),
        movement("receipt", "b-2", 10, sku="NOPE", qty=1),
        movement("receipt", "b-3", 10, sku="BULK", node="XX9", qty=1),
        movement("receipt", "b-4", 10, sku="BULK", qty=-2),
        movement("ship", "b-5", 11, sku="BULK", qty=11, order_id="o1"),
        movement("return_received", "b-6", 11, sku="BULK", qty=1, order_id="o1"),
        movement("ship", "b-7", 12, sku="BULK", qty=4, order_id="o2"),
        movement("receipt", "b-1", 10, sku="BULK", qty=10),
    ]
    async with inv.http() as api:
        response = await api.post("/v1/movements/batches", json={"records": records})
        position = (await api.get("/v1/positions/BULK/DC1")).json()
    assert response.status_code == 200
    body = response.json()
    assert (body["accepted"], body["duplicates"], body["rejected"]) == (2, 1, 5)
    named = [(o["index"], o["status"], o["idempotency_key"], o.get("field")) for o in body["outcomes"]]
    assert named == [
        (0, "accepted", "b-1", None),
        (1, "rejected", "b-2", "sku"),
        (2, "rejected", "b-3", "node"),
        (3, "rejected", "b-4", "qty"),
        (4, "rejected", "b-5", "qty"),
        (5, "rejected", "b-6", "disposition"),
        (6, "accepted", "b-7", None),
        (7, "duplicate", "b-1", None),
    ]
    assert body["outcomes"][1]["reason"] == "unknown sku 'NOPE' (not in master data)"
    assert body["outcomes"][1]["retryable"] is True
    assert body["outcomes"][4]["reason"] == "11 of BULK leaving DC1, only 10 sellable on hand"
    assert (position["on_hand"], position["available_to_sell"]) == (6, 6)


async def test_idempotency_key_replays_the_first_response(inv: Any) -> None:
    body = {"records": [movement("receipt", "idem-1", 9, sku="CHAIR", qty=3)]}
    async with inv.http() as api:
        first = await api.post("/v1/movements/batches", json=body, headers={"Idempotency-Key": "k-1"})
        again = await api.post("/v1/movements/batches", json=body, headers={"Idempotency-Key": "k-1"})
        other = await api.post(
            "/v1/movements/batches", json={"records": body["records"] * 2}, headers={"Idempotency-Key": "k-1"}
        )
    assert first.json()["accepted"] == 1
    assert (again.content, again.headers["Idempotency-Replayed"]) == (first.content, "true")
    assert other.status_code == 422


async def test_snapshot_drift_as_of_its_instant_with_late_events(inv: Any) -> None:
    async with inv.http() as api:
        await api.post(
            "/v1/movements/batches",
            json={
                "records": [
                    movement("receipt", "s-1", 8, qty=20),
                    movement("ship", "s-2", 14, qty=2, order_id="o7"),
                ]
            },
        )
        # happened at 10:00, arrives after the 14:00 shipment: counted in the balance as of 12:00
        late = movement("ship", "s-3", 10, qty=5, order_id="o8")
        assert (await api.post("/v1/movements/batches", json={"records": [late]})).json()["accepted"] == 1
        snapshot = {
            "source": "wms",
            "as_of": T.format(12),
            "lines": [
                {"sku": "LAMP", "node": "DC1", "counted_qty": 13},
                {"sku": "LAMP", "node": "DC2", "counted_qty": 9},
                {"sku": "LAMP", "node": "DC1", "counted_qty": -1, "as_of": T.format(13)},
            ],
        }
        result = (await api.post("/v1/snapshots", json=snapshot)).json()
        position = (await api.get("/v1/positions/LAMP/DC1")).json()
        again = (await api.post("/v1/snapshots", json=snapshot)).json()
        rates = (await api.get("/v1/drift-rates", params={"start": T.format(0), "end": T.format(23)})).json()
        drifts = (await api.get("/v1/drifts", params={"start": T.format(0), "end": T.format(23)})).json()
    adjusted, exception, bad = result["outcomes"]
    assert (adjusted["status"], adjusted["derived_qty"], adjusted["drift_qty"]) == ("adjusted", 15, -2)
    assert adjusted["drift_value"] == {"amount_minor": -2500, "currency": "EUR"}
    assert (exception["status"], exception["derived_qty"], exception["drift_qty"]) == ("exception", 0, 9)
    assert (bad["status"], bad["position"], bad["field"]) == ("rejected", 3, "counted_qty")
    assert position["on_hand"] == 11  # counted 13 as of 12:00, then the 14:00 shipment of 2
    assert [o["status"] for o in again["outcomes"]] == ["duplicate", "duplicate", "rejected"]
    assert {r["node"]: (r["lines"], r["lines_with_drift"], r["rate"]) for r in rates} == {
        "DC1": (1, 1, 1.0),
        "DC2": (1, 1, 1.0),
    }
    assert [(d["node"], d["action"]) for d in drifts] == [("DC1", "auto_adjust"), ("DC2", "exception")]

    js = inv.js
    subscription = await js.pull_subscribe(
        inv.topology.subject(DRIFT_DETECTED.subject), stream=inv.topology.stream("INVENTORY").name
    )
    message = (await subscription.fetch(1, timeout=10))[0]
    detected = DRIFT_DETECTED.decode(message.data)
    assert (detected.node, detected.quantity, detected.reason) == ("DC2", 9, "9 units exceeds 3")


async def test_shipment_event_carries_item_cost(inv: Any) -> None:
    subscription = await inv.js.pull_subscribe(
        inv.topology.subject(SHIPPED.subject), stream=inv.topology.stream("INVENTORY").name
    )
    for _ in range(100):
        shipped = [SHIPPED.decode(m.data) for m in await subscription.fetch(20, timeout=10)]
        found = [s for s in shipped if s.movement_id == "s-2"]
        if found:
            break
    assert found[0].unit_cost == Money(1250, "EUR")


async def test_snapshot_csv_upload_and_watched_folder(inv: Any) -> None:
    csv = b"sku,node,counted_qty\nCHAIR,DC1,3\nCHAIR,ST1,x\nGHOST,DC1,1\n"
    async with inv.http() as api:
        response = await api.post(
            "/v1/snapshots/imports", params={"source": "erp", "as_of": T.format(20)}, content=csv,
            headers={"Content-Type": "text/csv"},
        )  # fmt: skip
    outcomes = response.json()["outcomes"]
    assert [(o["position"], o["status"], o.get("field")) for o in outcomes] == [
        (2, "balanced", None),
        (3, "rejected", "counted_qty"),
        (4, "rejected", "sku"),
    ]
    inbox = Path(inv.service.process.env["RETAIL_SYNC_INVENTORY_INBOX_DIR"]) / "snapshots" / "store_count"
    for _ in range(50):
        if inbox.is_dir():
            break
        await asyncio.sleep(0.1)
    (inbox / "count.csv").write_bytes(b"sku,node,counted_qty,as_of\nCHAIR,DC1,3,2026-01-05T21:00:00Z\n")
    for _ in range(100):
        processed = list((inbox / "processed").glob("*.outcomes.json"))
        if processed:
            break
        await asyncio.sleep(0.1)
    assert b'"balanced":1' in processed[0].read_bytes()


async def test_reservations_refuse_to_oversell_replay_and_release(inv: Any) -> None:
    async with inv.http() as api:
        await api.post(
            "/v1/movements/batches",
            json={"records": [movement("receipt", "r-0", 1, sku="CHAIR", node="DC2", qty=5)]},
        )
        first = await api.post(
            "/v1/reservations", json={"reservation_id": "rest-1", "sku": "CHAIR", "node": "DC2", "qty": 4}
        )
        replay = await api.post(
            "/v1/reservations", json={"reservation_id": "rest-1", "sku": "CHAIR", "node": "DC2", "qty": 4}
        )
        refused = await api.post(
            "/v1/reservations", json={"reservation_id": "rest-2", "sku": "CHAIR", "node": "DC2", "qty": 2}
        )
        released = await api.post("/v1/reservations/rest-1/release")
        again = await api.post("/v1/reservations/rest-1/release")
        missing = await api.post("/v1/reservations/nope/release")
        position = (await api.get("/v1/positions/CHAIR/DC2")).json()
    assert (first.status_code, first.json()["open_qty"]) == (201, 4)
    assert (replay.status_code, replay.json()["reservation_id"]) == (200, "rest-1")
    assert refused.status_code == 409
    assert refused.json()["errors"] == [
        {"field": "qty", "reason": "2 requested of CHAIR at DC2, 1 available to sell"}
    ]
    assert (released.json()["status"], again.json()["status"], missing.status_code) == (
        "released",
        "released",
        404,
    )
    assert (position["reserved"], position["available_to_sell"]) == (0, 5)


async def test_reservation_expires_after_its_ttl(inv: Any) -> None:
    async with inv.http() as api:
        await api.post(
            "/v1/movements/batches",
            json={"records": [movement("receipt", "ttl-0", 1, sku="CHAIR", node="ST1", qty=2)]},
        )
        made = await api.post(
            "/v1/reservations",
            json={"reservation_id": "ttl-1", "sku": "CHAIR", "node": "ST1", "qty": 2, "ttl_seconds": 1},
        )
        assert made.status_code == 201
        for _ in range(60):
            status = (await api.get("/v1/reservations/ttl-1")).json()["status"]
            if status == "expired":
                break
            await asyncio.sleep(0.1)
        position = (await api.get("/v1/positions/CHAIR/ST1")).json()
    assert status == "expired"
    assert (position["reserved"], position["available_to_sell"]) == (0, 2)


async def test_scopes_and_channel_bindings(inv: Any) -> None:
    web_key = await inv.key("inventory:read", "inventory:reserve", channels=("WEB",))
    reader = await inv.key("inventory:read")
    async with inv.http() as admin:
        await admin.post(
            "/v1/movements/batches", json={"records": [movement("receipt", "c-1", 1, node="DC2", qty=7)]}
        )
    async with inv.http(web_key) as web, inv.http(reader) as read_only:
        availability = await web.get("/v1/channels/WEB/availability", params={"sku": ["LAMP", "CHAIR"]})
        other_channel = await web.get("/v1/channels/STORE/availability", params={"sku": "LAMP"})
        positions = await web.get("/v1/positions/LAMP")
        at_store = await web.post(
            "/v1/reservations",
            json={"reservation_id": "w-1", "sku": "LAMP", "node": "ST1", "qty": 1, "channel_id": "WEB"},
        )
        unnamed = await web.post(
            "/v1/reservations", json={"reservation_id": "w-2", "sku": "LAMP", "node": "DC2", "qty": 1}
        )
        reserved = await web.post(
            "/v1/reservations",
            json={"reservation_id": "w-3", "sku": "LAMP", "node": "DC2", "qty": 1, "channel_id": "WEB"},
        )
        cannot_write = await read_only.post(
            "/v1/movements/batches", json={"records": [movement("receipt", "c-2", 1, qty=1)]}
        )
        cannot_reserve = await read_only.post(
            "/v1/reservations", json={"reservation_id": "w-4", "sku": "LAMP", "node": "DC2", "qty": 1}
        )
    lamp = availability.json()["items"][0]
    assert (lamp["sku"], lamp["by_node"]["DC2"], lamp["available_to_sell"]) == (
        "LAMP",
        7,
        lamp["by_node"]["DC1"] + 7,
    )
    assert set(lamp["by_node"]) == {"DC1", "DC2"}
    assert (other_channel.status_code, positions.status_code, at_store.status_code, unnamed.status_code) == (
        403,
        403,
        403,
        403,
    )
    assert reserved.status_code == 201
    assert (cannot_write.status_code, cannot_reserve.status_code) == (403, 403)


async def test_window_must_be_ordered(inv: Any) -> None:
    async with inv.http() as api:
        response = await api.get("/v1/drift-rates", params={"start": T.format(5), "end": T.format(4)})
    assert (response.status_code, response.json()["errors"][0]["field"]) == (400, "start")


async def test_safety_stock_setter_is_scoped_audited_and_published(inv: Any) -> None:
    planner = await inv.key("inventory:write", "inventory:read")
    reader = await inv.key("inventory:read")
    bound = await inv.key("inventory:write", channels=("WEB",))
    body = {"safety_stock": 4, "reason": "promo buffer"}
    async with inv.http() as admin:
        stock = movement("receipt", "ss-1", 1, sku="BULK", node="DC2", qty=9)
        await admin.post("/v1/movements/batches", json={"records": [stock]})
    async with inv.http(planner) as api, inv.http(reader) as read_only, inv.http(bound) as web:
        forbidden = await read_only.put("/v1/positions/BULK/DC2/safety-stock", json=body)
        bound_key = await web.put("/v1/positions/BULK/DC2/safety-stock", json=body)
        negative = await api.put("/v1/positions/BULK/DC2/safety-stock", json={**body, "safety_stock": -1})
        unknown = await api.put("/v1/positions/NOPE/DC1/safety-stock", json=body)
        changed = await api.put("/v1/positions/BULK/DC2/safety-stock", json=body)
        position = (await api.get("/v1/positions/BULK/DC2")).json()
    assert (forbidden.status_code, bound_key.status_code) == (403, 403)
    assert (negative.status_code, negative.json()["errors"][0]["field"]) == (400, "safety_stock")
    assert unknown.status_code == 422
    assert changed.status_code == 200
    assert (changed.json()["safety_stock"], changed.json()["available_to_sell"]) == (4, 5)
    assert (position["safety_stock"], position["available_to_sell"]) == (4, 5)
    audit = await inv.scalar(
        "select changed_by || ':' || previous || '->' || safety_stock || ':' || reason "
        "from safety_stock_changes where sku = 'BULK' and node = 'DC2'"
    )
    assert audit.startswith("api:")
    assert audit.endswith(":0->4:promo buffer")
    published = await inv.wait_for(
        "select count(*) from outbox where subject = 'retail.inventory.position_changed.v1' "
        "and convert_from(payload, 'UTF8') like :pattern and published_at is not null",
        1,
        pattern='%"sku":"BULK","node":"DC2"%"safety_stock":4%',
    )
    assert published == 1
