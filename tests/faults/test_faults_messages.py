"""Messages under a steady load: a poison message goes to the DLQ with its reason, the cause is fixed and
the letter replayed (posted once, however often it is replayed); reconciliation's read models rebuilt by
replaying the streams into an empty database equal the live ones, row for row."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import asyncpg
import httpx
import msgspec
import nats
import pytest
from canon.ids import deterministic_id
from canon.inventory import MOVEMENT_SUBMITTED
from fault_checks import assert_exactly_once, count_check, plan_for
from fault_system import LEGAL_ENTITY, System
from master_replica import apply_master_event, replica_consumer_spec
from messaging.dlq import DeadLetter, DeadLetters
from messaging.replay import replay_stream
from messaging.topology import Topology
from reconciliation.adapters.nats.read_models import HANDLERS, consumer_specs
from reconciliation.bootstrap import MIGRATIONS as RECON_MIGRATIONS
from retail_platform.database import create_engine, run_migrations, session_factory
from retail_platform.dburl import libpq_url, with_database
from retail_sync_cli.loadgen import SOURCE, Input

pytestmark = pytest.mark.integration
READ_MODELS = ("ledger_documents", "tender_lines", "sales_documents", "return_dispositions", "master_replica")


async def publish_movement(js: Any, record: dict[str, Any]) -> None:
    envelope = MOVEMENT_SUBMITTED.envelope(
        "wms", subject=record["sku"], id=deterministic_id(SOURCE, record["idempotency_key"])
    )
    await js.publish(
        Topology().subject(MOVEMENT_SUBMITTED.subject),
        msgspec.json.encode(record),
        headers=envelope.to_headers(),
    )


async def dead_letter_of(
    letters: DeadLetters, consumer: str, event_key: str, timeout_s: float = 30
) -> DeadLetter:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for letter in await letters.list(1000, consumer=consumer):
            if event_key in letter.data.decode(errors="replace"):
                return letter
        await asyncio.sleep(0.2)
    raise AssertionError(f"no dead letter of {consumer} for {event_key}")


async def test_poison_shipment_dead_lettered_fixed_replayed_and_posted_once(
    system: System, run_id: str
) -> None:
    plan = plan_for(run_id)
    poison_sku = f"{run_id}-NOCOST"
    await system.seed_master_data(plan)
    async with httpx.AsyncClient(
        base_url=system.url("master_data"), headers={"X-API-Key": system.admin_key}, timeout=30
    ) as api:  # an item without a cost: the ledger cannot value its shipment
        item = {"sku": poison_sku, "name": "No cost yet", "category_id": "HOME", "tax_class": "standard"}
        assert (await api.post("/v1/master/item/batches", json={"records": [item]})).json()["rejected"] == 0
        await system.wait_until(
            "inventory", "select count(*) from master_replica where key = $1", 1, poison_sku
        )
        started = time.monotonic()
        load = asyncio.create_task(system.load(plan))
        client = await nats.connect(list(system.nats_urls))
        js = client.jetstream()
        letters = DeadLetters(js, Topology())
        stamp = f"{plan.business_date}T12:00:00Z"
        receipt = {
            "type": "receipt",
            "idempotency_key": f"{run_id}-M-P0",
            "source_system": "wms",
            "occurred_at": stamp,
            "sku": poison_sku,
            "node": plan.node,
            "qty": 3,
        }
        ship = receipt | {"type": "ship", "idempotency_key": f"{run_id}-M-P1", "qty": 2, "order_id": "P-1"}
        await publish_movement(js, receipt)
        await publish_movement(js, ship)

        letter = await dead_letter_of(letters, "order_ledger_shipments", ship["idempotency_key"])
        assert letter.original_subject == "retail.inventory.shipped.v1"
        assert letter.reason == (
            f"permanent error: unit_cost: no cost for {poison_sku} in {LEGAL_ENTITY}: "
            "not in the event nor master data"
        )
        cost = {
            "sku": poison_sku,
            "legal_entity_id": LEGAL_ENTITY,
            "effective_from": "2020-01-01T00:00:00Z",
            "unit_cost": {"amount_minor": 250, "currency": "USD"},
        }
        assert (await api.post("/v1/master/item_cost/batches", json={"records": [cost]})).json()[
            "rejected"
        ] == 0
    await system.wait_until(
        "order_ledger",
        "select count(*) from master_replica where record_type = 'item_cost' and content->>'sku' = $1",
        1,
        poison_sku,
    )
    await letters.replay(letter.seq)
    await system.wait_until(
        "order_ledger",
        "select count(*) from journal_entries where document_id = $1",
        1,
        ship["idempotency_key"],
    )
    # the same event once more, as a second replay would send it: the inbox keeps it posted once
    headers = letter.original_headers() | {"Nats-Msg-Id": f"{letter.event_id}:again"}
    await js.publish(Topology().subject(letter.original_subject), letter.data, headers=headers)
    report = await load
    report.inputs += [
        Input("movement", receipt["idempotency_key"], receipt, accepted=True, attempts=1),
        Input("movement", ship["idempotency_key"], ship, accepted=True, attempts=1),
    ]
    result = await count_check(system, "poison message: DLQ, fix, replay", [report], started=started)
    assert_exactly_once(result)
    cogs = await system.rows(
        "order_ledger",
        "select l.side, l.amount_minor from journal_entries e join journal_lines l using (entry_id) "
        "where e.document_id = $1 order by l.side",
        ship["idempotency_key"],
    )
    assert [tuple(row) for row in cogs] == [("credit", 500), ("debit", 500)]
    assert [x for x in await letters.list(1000) if x.seq == letter.seq] == []
    await client.close()


async def rebuild_reconciliation(system: System, database_url: str) -> dict[str, int]:
    """Reconciliation's read models from its input streams, into an empty database, with its own handlers."""
    await run_migrations(database_url, RECON_MIGRATIONS)
    engine = create_engine(database_url)
    sessions = session_factory(engine)
    client = await nats.connect(list(system.nats_urls))
    replayed: dict[str, int] = {}
    try:
        specs = consumer_specs("reconciliation") | {"master": replica_consumer_spec("reconciliation")}
        handlers = HANDLERS | {"master": apply_master_event}
        for name, spec in specs.items():
            async with sessions() as session, session.begin():

                async def apply(
                    envelope: Any, payload: bytes, _: int, session: Any = session, name: str = name
                ) -> None:
                    await handlers[name](session, envelope, payload)

                replayed[name] = await replay_stream(
                    client.jetstream(), Topology(), spec.stream, apply, filter_subject=spec.filter_subjects[0]
                )
    finally:
        await client.close()
        await engine.dispose()
    return replayed


async def table_rows(url: str, table: str) -> list[str]:
    connection = await asyncpg.connect(libpq_url(url))
    try:
        rows = await connection.fetch(f"select to_jsonb(t)::text from {table} t")
    finally:
        await connection.close()
    return sorted(row[0] for row in rows)


async def test_read_models_rebuilt_by_replay_equal_the_live_ones(system: System, run_id: str) -> None:
    plan = plan_for(run_id, duration_s=8.0)
    await system.seed_master_data(plan)
    started = time.monotonic()
    report = await system.load(plan)
    result = await count_check(system, "rebuild read models by replay", [report], started=started)
    assert_exactly_once(result)
    name = f"rebuild_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(libpq_url(system.database_url))
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    rebuilt_url = with_database(system.database_url, name)
    replayed = await rebuild_reconciliation(system, rebuilt_url)
    live_url = with_database(system.database_url, system.database_name("reconciliation"))
    assert replayed["ledger"] >= len(report.of("sale")) + len(
        [i for i in report.of("movement") if i.detail["type"] == "ship"]
    )
    for table in READ_MODELS:
        live, rebuilt = await table_rows(live_url, table), await table_rows(rebuilt_url, table)
        assert len(rebuilt) == len(live), table
        assert rebuilt == live, table
