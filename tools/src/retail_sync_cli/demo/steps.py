"""The demo's steps against the running system, in the order a retail day happens.

Each step uses the services' public HTTP APIs only and raises DemoError with the service's answer
when something is refused. Progress goes to a callback so the CLI can draw bars and tests stay quiet.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, time, timedelta
from typing import Any, TypeVar

from retail_platform.api_keys import generate_api_key

from retail_sync_cli.demo.api import DemoError, System, replica_counts, wait_for_replicas
from retail_sync_cli.demo.day import TradingDay
from retail_sync_cli.demo.retailer import CHANNELS, NODES, local_instant, master_records
from retail_sync_cli.demo.sales_payloads import (
    bogo_promotion_id,
    canonical_return,
    canonical_sale,
    encode,
    shopify_order,
    shopify_refund,
)

Progress = Callable[[str, int, int], None]
"""(step, done, total): called as a long step advances."""
T = TypeVar("T")
READS = ["master:read", "promotion:read", "inventory:read", "sales:read", "ledger:read", "recon:read"]
PEOPLE = {
    "author": ("pat.merchandising", [*READS, "promotion:write", "recon:resolve"]),
    "approver": (
        "quinn.finance",
        [*READS, "promotion:approve", "promotion:ack", "recon:resolve", "recon:approve", "ops:dlq"],
    ),
}
UNACKNOWLEDGING_CHANNELS = frozenset({"AMAZON-US"})
"""The marketplace has not confirmed its feed yet (its processing report is still outstanding)."""


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


async def issue_people_keys(system: System, admin_key: str) -> dict[str, str]:
    """The author and the approver: the same key in every service (each keeps its own key table)."""
    keys = {role: generate_api_key()[1] for role in PEOPLE}
    for service in system.urls:
        for role, (owner, scopes) in PEOPLE.items():
            await system.call(
                "PUT",
                service,
                "/v1/admin/api-keys",
                key=admin_key,
                json={"owner": owner, "scopes": scopes, "api_key": keys[role]},
            )
    return keys


async def load_master_data(system: System, day: TradingDay, progress: Progress) -> dict[str, int]:
    """Upsert every record type in dependency order; wait until every replica has the changes."""
    records = master_records(day.items, day.trading_day)
    total = sum(len(batch) for batch in records.values())
    before = await replica_counts(system)
    done = changed = 0
    accepted: dict[str, int] = {}
    for record_type, rows in records.items():
        for batch in chunks(rows, 1000):
            result = await system.post(
                "master_data", f"/v1/master/{record_type}/batches", json={"records": batch}
            )
            if result["rejected"]:
                bad = [o for o in result["outcomes"] if o["status"] == "rejected"][:3]
                raise DemoError(f"master data refused {result['rejected']} {record_type} record(s): {bad}")
            changed += sum(1 for o in result["outcomes"] if o["status"] in ("created", "updated"))
            accepted[record_type] = accepted.get(record_type, 0) + result["accepted"]
            done += len(batch)
            progress("master data", done, total)
    await wait_for_replicas(system, before, changed)
    progress("master data", total, total)
    return accepted


def promotion_body(day: TradingDay) -> dict[str, Any]:
    """Two days, store-local in each region: the day before the trading day and the trading day."""
    start_day = day.trading_day - timedelta(days=1)
    regional = {
        region: {
            "local_start": datetime.combine(start_day, time(0)).isoformat(),
            "local_end": datetime.combine(day.trading_day + timedelta(days=1), time(0)).isoformat(),
            "timezone": zone,
        }
        for region, zone in (
            ("US-NY", "America/New_York"),
            ("US-TX", "America/Chicago"),
            ("NL", "Europe/Amsterdam"),
        )
    }
    return {
        "promotion_id": bogo_promotion_id(day.trading_day),
        "name": "Weekend BOGO: snacks and drinks",
        "description": "Buy one, get one free on selected snacks and drinks: stores, web shop and Amazon.",
        "window": {
            "start": local_instant(start_day, time(0), "Europe/Amsterdam").astimezone(UTC).isoformat(),
            "end": local_instant(day.trading_day + timedelta(days=1), time(0), "America/Chicago")
            .astimezone(UTC)
            .isoformat(),
            "regional_windows": regional,
        },
        # The item set is named although the scope already limits it: the ledger reads an empty buy set as
        # "any item" (not "any item in scope") and would re-price unrelated returns.
        "mechanic": {"kind": "buy_x_get_y", "buy_qty": 1, "get_qty": 1, "buy_set": {"skus": day.bogo_skus}},
        "scope": {"items": day.bogo_skus, "channels": [c.channel_id for c in CHANNELS]},
    }


async def run_campaign(system: System, day: TradingDay, admin_key: str) -> list[dict[str, Any]]:
    """Author, submit, approve (second person), schedule; channels acknowledge what they applied."""
    promotion_id = bogo_promotion_id(day.trading_day)
    author, approver = system.author_key, system.approver_key
    created = await system.post(
        "promotion", "/v1/promotions", key=author, json=promotion_body(day), expect=(201, 409)
    )
    if created and created.get("status") != 409:
        await system.post("promotion", f"/v1/promotions/{promotion_id}/submit", key=author, json={})
        await system.post(
            "promotion",
            f"/v1/promotions/{promotion_id}/approve",
            key=approver,
            json={"version": 1, "why": "margin checked with the snacks and drinks buyers"},
        )
        await system.post("promotion", f"/v1/promotions/{promotion_id}/schedule", key=approver, json={})

    async def settled() -> list[dict[str, Any]] | None:
        deployments: list[dict[str, Any]] = await system.get(
            "promotion", f"/v1/promotions/{promotion_id}/deployments"
        )
        waiting = [
            d
            for d in deployments
            if d["status"] == "pending" or (d["status"] == "sent" and not d["late_flagged_at"])
        ]
        return deployments if deployments and not waiting else None

    deployments = await system.until(settled, "every deployment sent (and flagged late) or failed")
    for deployment in sorted(deployments, key=lambda d: d["deployment_id"]):
        if deployment["status"] == "sent" and deployment["channel_id"] not in UNACKNOWLEDGING_CHANNELS:
            await system.post(
                "promotion",
                f"/v1/deployments/{deployment['deployment_id']}/acknowledgements",
                key=admin_key,
                json={"accepted": True},
            )
    return deployments


async def record_movements(system: System, day: TradingDay, progress: Progress) -> None:
    """Every movement in time order, 500 a request; a retryable refusal (replica lag) is sent again."""
    ordered = sorted(day.movements, key=lambda m: str(m["occurred_at"]))
    done = 0
    for batch in chunks(ordered, 500):
        pending = list(batch)
        for _ in range(40):
            result = await system.post("inventory", "/v1/movements/batches", json={"records": pending})
            rejected = [o for o in result["outcomes"] if o["status"] == "rejected"]
            if not rejected:
                break
            if not all(o["retryable"] for o in rejected):
                raise DemoError(
                    f"inventory refused movements: {[o for o in rejected if not o['retryable']][:3]}"
                )
            pending = [pending[o["index"]] for o in rejected]
            await asyncio.sleep(0.5)
        else:
            raise DemoError(f"inventory kept refusing movements: {rejected[:3]}")
        done += len(batch)
        progress("inventory movements", done, len(ordered))


async def count_stock(system: System, day: TradingDay) -> list[dict[str, Any]]:
    results = []
    for snapshot in day.snapshots:
        results.append(await system.post("inventory", "/v1/snapshots", json=snapshot))
    return results


def _check_posted(result: dict[str, Any], what: str) -> int:
    if result["rejected"]:
        bad = [o for o in result["outcomes"] if o["status"] == "rejected"][:3]
        raise DemoError(f"the ledger rejected {result['rejected']} {what}: {bad}")
    return int(result["posted"])


async def record_sales(system: System, day: TradingDay, progress: Progress) -> int:
    """Tills and Amazon as canonical batches; the web shop's Shopify webhooks one by one (as Shopify does)."""
    promotion_id = bogo_promotion_id(day.trading_day)
    canonical = [canonical_sale(o, promotion_id) for o in day.orders if o.source != "shopify"]
    web = [o for o in day.orders if o.source == "shopify"]
    total = len(day.orders) + len(day.returns)
    posted = done = 0
    for batch in chunks(canonical, 200):
        posted += _check_posted(
            await system.post("order_ledger", "/v1/sales/transactions/batches", content=encode(list(batch))),
            "sales",
        )
        done += len(batch)
        progress("sales and returns", done, total)
    gate = asyncio.Semaphore(8)

    async def send(path: str, body: dict[str, Any], params: dict[str, str]) -> int:
        async with gate:
            return _check_posted(
                await system.post("order_ledger", path, json=body, params=params), "web order"
            )

    web_params = {"channel_id": "WEB-US", "node_id": "DC-US", "legal_entity_id": "LE-US"}
    posted += sum(
        await asyncio.gather(*(send("/v1/sales/shopify/orders", shopify_order(o), web_params) for o in web))
    )
    done += len(web)
    progress("sales and returns", done, total)
    returns = [canonical_return(r, promotion_id) for r in day.returns if r.order.source != "shopify"]
    if returns:
        posted += _check_posted(
            await system.post("order_ledger", "/v1/sales/transactions/batches", content=encode(returns)),
            "returns",
        )
    web_returns = [r for r in day.returns if r.order.source == "shopify"]
    posted += sum(
        await asyncio.gather(*(send("/v1/sales/shopify/refunds", shopify_refund(r), {}) for r in web_returns))
    )
    progress("sales and returns", total, total)
    return posted


def expected_feeds(day: TradingDay) -> dict[str, int]:
    """What reconciliation's read models must hold before it runs (events it consumes)."""
    transactions = len(day.orders) + len(day.returns)
    shipments = sum(1 for m in day.movements if m["type"] == "ship")
    dispositions = sum(1 for m in day.movements if m["type"] == "return_received")
    return {
        "sales_documents": transactions,
        "ledger_entries": transactions + shipments,
        "return_dispositions": dispositions,
    }


async def wait_for_reconciliation_feeds(system: System, day: TradingDay) -> dict[str, int]:
    expected = expected_feeds(day)

    async def fed() -> dict[str, int] | None:
        status: dict[str, int] = await system.get("reconciliation", "/v1/recon/status")
        return status if all(status[name] >= count for name, count in expected.items()) else None

    return await system.until(fed, f"reconciliation's read models to hold {expected}")


def stores_and_nodes() -> list[str]:
    return [node.node_id for node in NODES]
