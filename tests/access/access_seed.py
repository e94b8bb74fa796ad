"""What the access tests need in the system: master data for two channels (WEB served by DC1, STORE by ST1)
in two legal entities, a sale in each, a scheduled promotion deployed to both channels, settlement files
and an open reconciliation exception per legal entity."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from fault_system import System

DAY = (datetime.now(UTC) - timedelta(days=1)).date()
MASTER: dict[str, list[dict[str, Any]]] = {
    "legal_entity": [
        {
            "legal_entity_id": le,
            "name": le,
            "country": country,
            "functional_currency": "USD",
            "chart_id": "US-GAAP",
            "timezone": "UTC",
        }
        for le, country in (("LE-US", "US"), ("LE-DE", "DE"))
    ],
    "category": [{"category_id": "HOME", "name": "Home"}],
    "channel": [
        {
            "channel_id": "WEB",
            "name": "Web",
            "kind": "ecommerce",
            "legal_entity_id": "LE-US",
            "currency": "USD",
        },
        {
            "channel_id": "STORE",
            "name": "Stores",
            "kind": "store",
            "legal_entity_id": "LE-DE",
            "currency": "USD",
        },
    ],
    "node": [
        {
            "node_id": "DC1",
            "name": "DC one",
            "kind": "dc",
            "region": "US-NY",
            "legal_entity_id": "LE-US",
            "timezone": "UTC",
            "serves_channels": ["WEB"],
        },
        {
            "node_id": "ST1",
            "name": "Store one",
            "kind": "store",
            "region": "US-NY",
            "legal_entity_id": "LE-DE",
            "timezone": "UTC",
            "serves_channels": ["STORE"],
        },
    ],
    "item": [{"sku": "LAMP", "name": "Lamp", "category_id": "HOME", "tax_class": "standard"}],
    "tax_code": [
        {
            "region": "US-NY",
            "tax_class": "standard",
            "code": "NY-STD",
            "jurisdiction": "US-NY",
            "rate": "0.08",
        }
    ],
}


@dataclass
class AccessSystem:
    system: System
    console_url: str
    keys: dict[str, str]


def sale(document: str, channel: str, node: str, entity: str) -> dict[str, Any]:
    usd = {"currency": "USD"}
    return {
        "source_system": "pos",
        "document_id": document,
        "kind": "sale",
        "order_id": f"O-{document}",
        "channel_id": channel,
        "node_id": node,
        "legal_entity_id": entity,
        "currency": "USD",
        "business_date": DAY.isoformat(),
        "occurred_at": f"{DAY.isoformat()}T12:00:00Z",
        "lines": [{"line_id": "1", "sku": "LAMP", "quantity": 1, "unit_price": usd | {"amount_minor": 1000}}],
        "tenders": [
            {
                "tender_id": "1",
                "kind": "card",
                "amount": usd | {"amount_minor": 1000},
                "processor": "adyen",
                "processor_reference": f"psp-{document}",
            }
        ],
    }


async def until(check: Any, timeout_s: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout_s
    while True:
        found = await check()
        if found or time.monotonic() > deadline:
            return found
        await asyncio.sleep(0.3)


def client(system: System, service: str, key: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=system.url(service), headers={"X-API-Key": key}, timeout=30)


async def seed_master_data(system: System) -> None:
    async with client(system, "master_data", system.admin_key) as api:
        for record_type, records in MASTER.items():
            response = await api.post(f"/v1/master/{record_type}/batches", json={"records": records})
            assert response.status_code == 200, response.text
            assert response.json()["rejected"] == 0, response.text
    for service in ("inventory", "promotion", "order_ledger"):
        await system.wait_until(service, "select count(*) from master_replica where record_type = 'node'", 2)


async def seed_sales(system: System) -> dict[str, str]:
    """One posted sale per channel/legal entity; returns order id -> entry id."""
    async with client(system, "order_ledger", system.admin_key) as api:
        body = [sale("WEB-1", "WEB", "DC1", "LE-US"), sale("DE-1", "STORE", "ST1", "LE-DE")]
        outcomes = (await api.post("/v1/sales/transactions/batches", json=body)).json()["outcomes"]
        assert [o["status"] for o in outcomes] == ["posted", "posted"], outcomes
        entries = {}
        for order in ("O-WEB-1", "O-DE-1"):
            trace = (await api.get(f"/v1/sales/orders/{order}/trace")).json()
            entries[order] = trace["entries"][0]["entry_id"]
    return entries


async def seed_stock(system: System) -> None:
    records = [
        {
            "type": "receipt",
            "idempotency_key": f"r-{node}",
            "source_system": "wms",
            "occurred_at": f"{DAY.isoformat()}T08:00:00Z",
            "sku": "LAMP",
            "node": node,
            "qty": 10,
        }
        for node in ("DC1", "ST1")
    ]
    async with client(system, "inventory", system.admin_key) as api:
        response = await api.post("/v1/movements/batches", json={"records": records})
        assert response.json()["rejected"] == 0, response.text


async def seed_promotion(system: System, keys: dict[str, str]) -> dict[str, str]:
    """A promotion authored by alice, approved and scheduled by bob; returns channel -> deployment id."""
    now = datetime.now(UTC)
    body = {
        "promotion_id": "LAMP-10",
        "name": "Lamps 10 % off",
        "window": {
            "start": (now - timedelta(hours=1)).isoformat(),
            "end": (now + timedelta(days=2)).isoformat(),
        },
        "mechanic": {"kind": "percent_off", "percent": "10"},
        "scope": {"items": ["LAMP"], "channels": ["WEB", "STORE"]},
    }
    async with (
        client(system, "promotion", keys["alice"]) as alice,
        client(system, "promotion", keys["bob"]) as bob,
    ):
        created = await alice.post("/v1/promotions", json=body)
        assert created.status_code == 201, created.text
        assert (await alice.post("/v1/promotions/LAMP-10/submit")).status_code == 200
        assert (await bob.post("/v1/promotions/LAMP-10/approve", json={"version": 1})).status_code == 200
        assert (await bob.post("/v1/promotions/LAMP-10/schedule")).status_code == 200
        deployments = (await bob.get("/v1/promotions/LAMP-10/deployments")).json()
    return {d["channel_id"]: d["deployment_id"] for d in deployments}


def chargeback_file(reference: str, batch: int) -> bytes:
    from retail_sync_cli.loadgen import ADYEN_HEADER

    row = (
        f"Shop,Shop{batch},{reference},,visa,{DAY.isoformat()} 10:00:00,UTC,Chargeback,{reference},"
        f"USD,40.00,,1,USD,40.00,,,,,,visa,,{batch},,,,,,,"
    )
    return f"{ADYEN_HEADER}\n{row}\n".encode()


async def seed_exceptions(system: System) -> dict[str, str]:
    """A chargeback exception per legal entity; returns legal entity -> exception id."""
    found = {}
    async with client(system, "reconciliation", system.admin_key) as api:
        for number, entity in enumerate(("LE-US", "LE-DE")):
            response = await api.post(
                "/v1/recon/files",
                params={"legal_entity_id": entity, "filename": f"cb-{entity}.csv"},
                content=chargeback_file(f"CB-{entity}", 900 + number),
            )
            assert response.status_code == 201, response.text
            [case] = (await api.get("/v1/recon/exceptions", params={"legal_entity_id": entity})).json()
            found[entity] = case["exception_id"]
    return found
