"""A little retail day seeded through the services' own APIs, for the console's panels to show.

- master data: two legal entities, two channels, a store and a DC in US-TX, one item and its tax code;
- promotions: BOGO-LATE started an hour ago and its store deployment was never acknowledged (late);
  BOGO-NEXT starts next week: the web shop acknowledged, the stores have it (sent, on time);
- inventory: DC-TX counted 17 where 20 were received (drift of 3), S-TX-1 counted what it had;
- ledger: one card sale (order O-1001, PSP-1001, 40.00 EUR) posted;
- reconciliation: a chargeback on PSP-1001 (an open exception with both sides' evidence).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import httpx
import msgspec
from browser_system import System
from canon.master.finance import LegalEntity
from canon.master.network import Channel, Node
from canon.master.product import Category, Item, TaxCode
from canon.money import Money
from canon.sales import SalesLine, SalesTransaction, TaxLine, Tender

T = TypeVar("T")
ADYEN_HEADER = (
    "Company Account,Merchant Account,Psp Reference,Merchant Reference,Payment Method,Creation Date,TimeZone,"
    "Type,Modification Reference,Gross Currency,Gross Debit (GC),Gross Credit (GC),Exchange Rate,"
    "Net Currency,Net Debit (NC),Net Credit (NC),Commission (NC),Markup (NC),Scheme Fees (NC),"
    "Interchange (NC),Payment Method Variant,Modification Merchant Reference,Batch Number,Reserved4,"
    "Reserved5,Reserved6,Reserved7,Reserved8,Reserved9,Reserved10"
)


async def until(check: Callable[[], Awaitable[T | None]], what: str, timeout_s: float = 45.0) -> T:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while asyncio.get_running_loop().time() < deadline:
        found = await check()
        if found:
            return found
        await asyncio.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


def master_records() -> dict[str, list[Any]]:
    return {
        "legal_entity": [
            LegalEntity(
                legal_entity_id="LE-NL",
                name="Retail NL B.V.",
                country="NL",
                functional_currency="EUR",
                chart_id="EU",
                timezone="Europe/Amsterdam",
            ),
            LegalEntity(
                legal_entity_id="LE-US",
                name="Retail US Inc.",
                country="US",
                functional_currency="USD",
                chart_id="US",
                timezone="America/Chicago",
            ),
        ],
        "category": [Category(category_id="SNACKS", name="Snacks")],
        "channel": [
            Channel(
                channel_id="STORES", name="Stores", kind="store", legal_entity_id="LE-US", currency="USD"
            ),
            Channel(
                channel_id="ECOM", name="Web shop", kind="ecommerce", legal_entity_id="LE-US", currency="USD"
            ),
        ],
        "node": [
            Node(
                node_id="S-TX-1",
                name="Austin",
                kind="store",
                region="US-TX",
                legal_entity_id="LE-US",
                timezone="America/Chicago",
                store_cluster="METRO",
                serves_channels=["STORES"],
            ),
            Node(
                node_id="DC-TX",
                name="Dallas DC",
                kind="dc",
                region="US-TX",
                legal_entity_id="LE-US",
                timezone="America/Chicago",
                serves_channels=["ECOM"],
            ),
        ],
        "tax_code": [
            TaxCode(region="US-TX", tax_class="food", code="US-TX-food", jurisdiction="US-TX", rate="0.0625")
        ],
        # Last: a service replicates the MASTER stream in order, so once it knows the item (what the
        # promotion seed waits for) it knows the channels, nodes and tax codes its deployments need.
        "item": [Item(sku="CHIPS", name="Chips", category_id="SNACKS", tax_class="food")],
    }


def promotion(promotion_id: str, start: datetime, channels: list[str]) -> dict[str, Any]:
    return {
        "promotion_id": promotion_id,
        "name": f"{promotion_id}: buy one get one on chips",
        "window": {"start": start.isoformat(), "end": (start + timedelta(days=2)).isoformat()},
        "mechanic": {"kind": "buy_x_get_y", "buy_qty": 1, "get_qty": 1},
        "scope": {"items": ["CHIPS"], "channels": channels},
    }


def sale(now: datetime) -> SalesTransaction:
    eur = lambda minor: Money(minor, "EUR")  # noqa: E731
    return SalesTransaction(
        source_system="web",
        document_id="D-1001",
        kind="sale",
        order_id="O-1001",
        channel_id="WEB-NL",
        node_id="DC-NL",
        legal_entity_id="LE-NL",
        currency="EUR",
        business_date=now.date(),
        occurred_at=now - timedelta(seconds=90),
        lines=[
            SalesLine(
                line_id="1",
                sku="CHIPS",
                quantity=1,
                unit_price=eur(3500),
                taxes=[TaxLine(jurisdiction="NL", amount=eur(500))],
            ),
        ],
        tenders=[
            Tender(
                tender_id="1",
                kind="card",
                amount=eur(4000),
                processor="adyen",
                processor_reference="PSP-1001",
            )
        ],
    )


def chargeback_file(psp: str, amount: str, day: datetime) -> bytes:
    row = (
        f"Shop,ShopEU,{psp},,visa,{day:%Y-%m-%d} 10:00:00,UTC,Chargeback,{psp},"
        f"EUR,{amount},,1,EUR,{amount},,,,,,visa,,81,,,,,,,"
    )
    return f"{ADYEN_HEADER}\n{row}\n".encode()


async def seed_master_data(api: httpx.AsyncClient, system: System) -> None:
    for record_type, records in master_records().items():
        response = await api.post(
            f"{system.url('master_data')}/v1/master/{record_type}/batches",
            json={"records": msgspec.to_builtins(records)},
        )
        assert response.status_code == 200, response.text


async def seed_promotions(system: System, now: datetime) -> None:
    base = system.url("promotion")
    pat = httpx.AsyncClient(base_url=base, headers={"X-API-Key": system.keys["proposer"]}, timeout=30)
    quinn = httpx.AsyncClient(base_url=base, headers={"X-API-Key": system.keys["approver"]}, timeout=30)
    async with pat, quinn:
        for promotion_id, start, channels in (
            ("BOGO-LATE", now - timedelta(hours=1), ["STORES"]),
            ("BOGO-NEXT", now + timedelta(days=7), ["STORES", "ECOM"]),
        ):

            async def create(
                body: dict[str, Any] = promotion(promotion_id, start, channels),
            ) -> httpx.Response | None:
                response = await pat.post("/v1/promotions", json=body)
                return (
                    None
                    if response.status_code == 422 and "not in master data" in response.text
                    else response
                )

            created = await until(create, "master data in the promotion replica")
            assert created.status_code == 201, created.text
            assert (await pat.post(f"/v1/promotions/{promotion_id}/submit")).status_code == 200
            assert (
                await quinn.post(f"/v1/promotions/{promotion_id}/approve", json={"version": 1})
            ).status_code == 200
            assert (await quinn.post(f"/v1/promotions/{promotion_id}/schedule")).status_code == 200

        async def sent() -> list[dict[str, Any]] | None:
            deployments = (await quinn.get("/v1/promotions/BOGO-NEXT/deployments")).json()
            return deployments if deployments and all(d["status"] == "sent" for d in deployments) else None

        ecom = next(d for d in await until(sent, "BOGO-NEXT deployments sent") if d["channel_id"] == "ECOM")
        acked = await quinn.post(f"/v1/deployments/{ecom['deployment_id']}/acknowledgements", json={})
        assert acked.status_code == 200, acked.text


async def seed_inventory(api: httpx.AsyncClient, system: System, now: datetime) -> None:
    base = system.url("inventory")
    received = (now - timedelta(hours=3)).isoformat()
    records = [
        {
            "type": "receipt",
            "idempotency_key": f"rcv-{node}",
            "source_system": "wms",
            "occurred_at": received,
            "sku": "CHIPS",
            "node": node,
            "qty": qty,
        }
        for node, qty in (("DC-TX", 20), ("S-TX-1", 10))
    ]

    async def recorded() -> bool:
        body = (await api.post(f"{base}/v1/movements/batches", json={"records": records})).json()
        return body.get("accepted", 0) + body.get("duplicates", 0) == 2

    await until(recorded, "movements recorded (master data in the inventory replica)")
    snapshot = {
        "source": "wms",
        "as_of": (now - timedelta(hours=1)).isoformat(),
        "lines": [
            {"sku": "CHIPS", "node": "DC-TX", "counted_qty": 17},
            {"sku": "CHIPS", "node": "S-TX-1", "counted_qty": 10},
        ],
    }
    response = await api.post(f"{base}/v1/snapshots", json=snapshot)
    assert response.status_code in (200, 201), response.text


async def seed_money(api: httpx.AsyncClient, system: System, now: datetime) -> str:
    posted = await api.post(
        f"{system.url('order_ledger')}/v1/sales/transactions/batches", json=[msgspec.to_builtins(sale(now))]
    )
    assert [o["status"] for o in posted.json()["outcomes"]] == ["posted"], posted.text
    recon = system.url("reconciliation")

    async def ledger_arrived() -> bool:
        status = (await api.get(f"{recon}/v1/recon/status")).json()
        return bool(status["ledger_entries"] >= 1 and status["tender_lines"] >= 1)

    await until(ledger_arrived, "the posted entry in reconciliation")
    upload = await api.post(
        f"{recon}/v1/recon/files",
        params={"legal_entity_id": "LE-NL", "filename": "adyen_cb.csv", "channel_id": "WEB-NL"},
        content=chargeback_file("PSP-1001", "40.00", now),
    )
    assert upload.status_code == 201, upload.text
    [case] = (await api.get(f"{recon}/v1/recon/exceptions", params={"legal_entity_id": "LE-NL"})).json()
    return str(case["exception_id"])


async def seed(system: System) -> dict[str, Any]:
    now = datetime.now(UTC).replace(microsecond=0)
    async with httpx.AsyncClient(headers={"X-API-Key": system.admin_key}, timeout=30) as api:
        await seed_master_data(api, system)
        await seed_promotions(system, now)
        await seed_inventory(api, system, now)
        exception_id = await seed_money(api, system, now)
    return {
        "exception_id": exception_id,
        # open: the chargeback (40.00) and the sale not yet settled (a timing difference, 40.00)
        "readiness_unreconciled": "80.00 EUR (2)",
        "readiness_after_unreconciled": "40.00 EUR (1)",
    }
