"""The inventory service as its own process: gRPC availability and reservations (200 concurrent clients
on one hot sku), NATS ingestion with duplicates and a dead letter, and a kill -9 mid-ingestion."""

from __future__ import annotations

import asyncio
from typing import Any

import grpc
import pytest
from canon.ids import deterministic_id
from messaging.dlq import DeadLetters

pytestmark = pytest.mark.integration


def receipt(key: str, sku: str, node: str, qty: int, minute: int = 0) -> dict[str, Any]:
    return {
        "type": "receipt", "idempotency_key": key, "source_system": "wms",
        "occurred_at": f"2026-01-04T{minute // 60:02}:{minute % 60:02}:00Z", "sku": sku, "node": node,
        "qty": qty,
    }  # fmt: skip


async def record(inv: Any, *records: dict[str, Any]) -> None:
    async with inv.http() as api:
        body = (await api.post("/v1/movements/batches", json={"records": list(records)})).json()
    assert body["rejected"] == 0, body


async def test_get_availability_many_skus_at_many_nodes(inv: Any) -> None:
    await record(inv, receipt("g-1", "NATS-0", "DC1", 4), receipt("g-2", "NATS-0", "ST1", 2))
    key = await inv.key("inventory:read")
    channel, stub = inv.stub()
    async with channel:
        answer = await stub.GetAvailability(
            inv.pb.GetAvailabilityRequest(skus=["NATS-0", "NATS-1"], nodes=["DC1", "ST1", "DC2"]),
            metadata=(("x-api-key", key),),
        )
        with pytest.raises(grpc.aio.AioRpcError) as anonymous:
            await stub.GetAvailability(inv.pb.GetAvailabilityRequest(skus=["NATS-0"], nodes=["DC1"]))
        with pytest.raises(grpc.aio.AioRpcError) as too_many:
            await stub.GetAvailability(
                inv.pb.GetAvailabilityRequest(skus=[f"S{n}" for n in range(501)], nodes=["DC1"]),
                metadata=(("x-api-key", key),),
            )
    first, second = answer.skus
    assert list(answer.nodes) == ["DC1", "ST1", "DC2"]
    assert (first.sku, first.available_to_sell, list(first.available_by_node)) == (
        "NATS-0",
        6,
        [4, 2, 0],
    )
    assert (second.sku, second.available_to_sell) == ("NATS-1", 0)
    assert anonymous.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert (too_many.value.code(), too_many.value.details()) == (
        grpc.StatusCode.INVALID_ARGUMENT,
        "skus: give 1 to 500",
    )


async def test_channel_bound_key_sees_only_its_channel_over_grpc(inv: Any) -> None:
    key = await inv.key("inventory:read", channels=("WEB",))
    channel, stub = inv.stub()
    async with channel:
        web = await stub.GetAvailability(
            inv.pb.GetAvailabilityRequest(skus=["NATS-0"], channel_id="WEB"), metadata=(("x-api-key", key),)
        )
        with pytest.raises(grpc.aio.AioRpcError) as store:
            await stub.GetAvailability(
                inv.pb.GetAvailabilityRequest(skus=["NATS-0"], nodes=["ST1"], channel_id="WEB"),
                metadata=(("x-api-key", key),),
            )
    assert list(web.nodes) == ["DC1", "DC2"]
    assert store.value.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_200_concurrent_grpc_reservations_of_a_hot_sku_never_oversell(inv: Any) -> None:
    await record(inv, receipt("hot-stock", "HOT", "DC2", 100))
    key = await inv.key("inventory:read", "inventory:reserve")
    metadata = (("x-api-key", key),)
    channel, stub = inv.stub()
    async with channel:

        async def reserve(name: str) -> Any:
            request = inv.pb.ReserveRequest(
                reservation_id=name, sku="HOT", node="DC2", qty=1, ttl_seconds=600
            )
            return await stub.Reserve(request, metadata=metadata)

        async def available() -> Any:
            request = inv.pb.GetAvailabilityRequest(skus=["HOT"], nodes=["DC2"])
            item = (await stub.GetAvailability(request, metadata=metadata)).skus[0]
            return item.reserved_by_node[0], item.available_by_node[0]

        answers = await asyncio.gather(*(reserve(f"hot-{n}") for n in range(200)))
        sold_out = await available()
        reserved = [
            a.reservation.reservation_id for a in answers if a.outcome == inv.pb.RESERVE_OUTCOME_RESERVED
        ]
        replay = await reserve(reserved[0])
        released = await stub.Release(inv.pb.ReleaseRequest(reservation_id=reserved[0]), metadata=metadata)
        after_release = await available()
    outcomes = [answer.outcome for answer in answers]
    assert (len(reserved), outcomes.count(inv.pb.RESERVE_OUTCOME_INSUFFICIENT_STOCK)) == (100, 100)
    assert sold_out == (100, 0)
    refused = next(a for a in answers if a.outcome == inv.pb.RESERVE_OUTCOME_INSUFFICIENT_STOCK)
    assert (refused.available_to_sell, refused.HasField("reservation")) == (0, False)
    assert (
        await inv.scalar("select count(*) from reservations where sku = 'HOT' and status = 'open'") == 99
    )  # one released
    assert (replay.outcome, replay.reservation.reservation_id) == (
        inv.pb.RESERVE_OUTCOME_REPLAYED,
        reserved[0],
    )
    assert released.reservation.status == "released"
    assert after_release == (99, 1)


async def test_nats_ingestion_applies_each_movement_once_and_dead_letters_bad_ones(inv: Any) -> None:
    good = receipt("n-1", "NATS-1", "DC1", 5)
    await inv.publish_movement(good)
    await inv.publish_movement(good)  # the same event again (deduplicated by JetStream or the inbox)
    await inv.publish_movement(
        good, event_id=deterministic_id("other", "n-1")
    )  # another event, same movement
    await inv.publish_movement(receipt("n-2", "NATS-1", "DC1", 2, minute=5))
    bad = {**receipt("n-3", "NATS-2", "DC1", 1), "type": "return_received", "order_id": "o1"}
    await inv.publish_movement(bad)
    on_hand = await inv.wait_for("select on_hand from positions where sku = 'NATS-1' and node = 'DC1'", 7)
    assert on_hand == 7
    assert await inv.scalar("select count(*) from movements where sku = 'NATS-1'") == 2
    letters = DeadLetters(inv.js, inv.topology)
    for _ in range(100):
        found = [letter for letter in await letters.list(50) if letter.consumer == "inventory_movements"]
        if found:
            break
        await asyncio.sleep(0.1)
    assert len(found) == 1
    assert found[0].reason == "rejected: record n-3: disposition: is required"


async def test_kill_9_mid_ingestion_loses_nothing(inv: Any) -> None:
    """SIGKILL while a stream of movements is being consumed: after the restart every movement is
    recorded exactly once and the positions are their sum."""
    records = [receipt(f"kill-{n}", f"KILL-{n % 10}", "DC1", 1 + n % 3, minute=n // 60) for n in range(3000)]

    async def publish_all() -> None:  # still publishing when the kill lands: it is mid-ingestion
        for start in range(0, len(records), 250):
            await asyncio.gather(*(inv.publish_movement(r) for r in records[start : start + 250]))

    publishing = asyncio.create_task(publish_all())
    query = "select count(*) from movements where idempotency_key like 'kill-%'"
    recorded = 0
    for _ in range(500):
        recorded = await inv.scalar(query)
        if recorded > 0:
            break
        await asyncio.sleep(0.01)
    inv.service.process.kill()
    recorded = await inv.scalar(query)
    assert 0 < recorded < 3000, "the kill should land mid-ingestion"
    await publishing  # the rest reaches NATS while the service is down
    inv.service.process.start()
    total = await inv.wait_for(query, 3000, 60)
    assert total == 3000
    on_hand = await inv.scalar("select sum(on_hand) from positions where sku like 'KILL-%'")
    assert on_hand == sum(r["qty"] for r in records)
