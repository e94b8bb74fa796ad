"""What every context ended with, read back through its API, and its rendering as text.

Only figures that follow from the seed and the trading day go in (no ids, instants or timings), so the
same seed on a fresh system prints the same summary.
"""

from __future__ import annotations

import asyncio
from collections import Counter, defaultdict
from datetime import timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from retail_sync_cli.demo.api import System
from retail_sync_cli.demo.day import TradingDay
from retail_sync_cli.demo.retailer import LEGAL_ENTITIES
from retail_sync_cli.demo.sales_payloads import bogo_promotion_id

Summary = dict[str, Any]


def money(minor: int, currency: str) -> str:
    return f"{currency} {Decimal(minor).scaleb(-2):,.2f}"


async def _count_records(system: System, record_type: str) -> int:
    count, after = 0, None
    while True:
        params = {"limit": "1000", **({"after": after} if after else {})}
        page = await system.get("master_data", f"/v1/master/{record_type}", params=params)
        count += len(page["items"])
        after = page["next_after"]
        if not after:
            return count


async def master_summary(system: System, record_types: list[str]) -> Summary:
    return {record_type: await _count_records(system, record_type) for record_type in record_types}


async def promotion_summary(system: System, day: TradingDay) -> Summary:
    promotion_id = bogo_promotion_id(day.trading_day)
    promotion = await system.get("promotion", f"/v1/promotions/{promotion_id}")
    deployments = await system.get("promotion", f"/v1/promotions/{promotion_id}/deployments")
    by_status = Counter(d["status"] for d in deployments)
    return {
        "promotion": promotion_id,
        "status": promotion["status"],
        "author": promotion["versions"][0]["author"],
        "approved_by": promotion["versions"][0]["approved_by"],
        "deployments": len(deployments),
        "deployments_by_status": dict(sorted(by_status.items())),
        "late": sum(1 for d in deployments if d["late_flagged_at"]),
        "by_target": sorted(f"{d['channel_id']} {d['target']}: {d['status']}" for d in deployments),
        "failures": sorted({d["reason"] for d in deployments if d["status"] == "failed"}),
    }


async def inventory_summary(system: System, day: TradingDay) -> Summary:
    gate = asyncio.Semaphore(8)

    async def positions(sku: str) -> list[dict[str, Any]]:
        async with gate:
            found: list[dict[str, Any]] = await system.get("inventory", f"/v1/positions/{sku}")
            return found

    per_sku = await asyncio.gather(*(positions(item.sku) for item in day.fast_movers))
    rows = [row for found in per_sku for row in found]
    totals = {
        name: sum(row[name] for row in rows)
        for name in ("on_hand", "reserved", "damaged", "available_to_sell")
    }
    window = {
        "start": f"{day.trading_day - timedelta(days=1)}T00:00:00+00:00",
        "end": f"{day.trading_day + timedelta(days=2)}T00:00:00+00:00",
    }
    drifts = await system.get("inventory", "/v1/drifts", params=window)
    rates = await system.get("inventory", "/v1/drift-rates", params=window)
    return {
        "positions": len(rows),
        **totals,
        "count_lines": len(drifts),
        "count_lines_by_action": dict(sorted(Counter(d["action"] for d in drifts).items())),
        "drift_units_net": sum(d["quantity"] for d in drifts),
        "drift_by_node": {
            r["node"]: f"{r['lines_with_drift']}/{r['lines']} lines, {r['units']} units"
            + (f", {money(r['value']['amount_minor'], r['value']['currency'])}" if r["value"] else "")
            for r in sorted(rates, key=lambda r: r["node"])
        },
    }


async def ledger_summary(system: System, day: TradingDay) -> Summary:
    gate = asyncio.Semaphore(8)

    async def trace(order_id: str) -> dict[str, Any]:
        async with gate:
            found: dict[str, Any] = await system.get(
                "order_ledger", f"/v1/sales/orders/{quote(order_id, safe='')}/trace"
            )
            return found

    traces = await asyncio.gather(*(trace(o.order_id) for o in day.orders))
    transactions = [t["transaction"] for tr in traces for t in tr["transactions"]]
    entries = [e for tr in traces for e in tr["entries"]]
    by_kind: Counter[str] = Counter(f"{t['channel_id']} {t['kind']}" for t in transactions)
    tendered: defaultdict[str, int] = defaultdict(int)
    for t in transactions:
        sign = -1 if t["kind"] == "return" else 1
        for tender in t["tenders"]:
            tendered[t["currency"]] += sign * tender["amount"]["amount_minor"]
    debits: defaultdict[str, int] = defaultdict(int)
    credits: defaultdict[str, int] = defaultdict(int)
    roles: defaultdict[tuple[str, str], int] = defaultdict(int)
    for entry in entries:
        for line in entry["lines"]:
            amount = line["amount"]["amount_minor"]
            (debits if line["side"] == "debit" else credits)[entry["currency"]] += amount
            roles[(line["role"], entry["currency"])] += amount if line["side"] == "debit" else -amount
    rejections = await system.get("order_ledger", "/v1/sales/rejections", params={"limit": "1000"})
    return {
        "transactions": len(transactions),
        "transactions_by_channel": dict(sorted(by_kind.items())),
        "rejected": len(rejections),
        "tendered_net": {c: money(v, c) for c, v in sorted(tendered.items())},
        "journal_entries": len(entries),
        "entries_by_kind": dict(sorted(Counter(e["transaction_kind"] for e in entries).items())),
        "debits": {c: money(v, c) for c, v in sorted(debits.items())},
        "balanced": dict(debits) == dict(credits),
        "by_role": {f"{role} {c}": money(v, c) for (role, c), v in sorted(roles.items())},
    }


async def reconciliation_summary(
    system: System, day: TradingDay, uploads: list[dict[str, Any]], runs: dict[str, dict[str, Any]]
) -> Summary:
    period = f"{day.trading_day:%Y-%m}"
    run_totals: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for summary in [u["run"] for u in uploads if u.get("run")] + list(runs.values()):
        for name in ("reference_matches", "amount_date_matches", "payout_links", "variances_posted"):
            run_totals[summary["legal_entity_id"]][name] += summary[name]
    result: Summary = {
        "files": dict(
            sorted(Counter(f"{u['kind']} {u['source_format']} {u['status']}" for u in uploads).items())
        )
    }
    for entity in LEGAL_ENTITIES:
        le = entity.legal_entity_id
        exceptions = await system.get(
            "reconciliation", "/v1/recon/exceptions", params={"legal_entity_id": le, "limit": "1000"}
        )
        by_type: Counter[str] = Counter(f"{e['exception_type']} ({e['status']})" for e in exceptions)
        amounts: defaultdict[str, int] = defaultdict(int)
        for e in exceptions:
            amounts[f"{e['exception_type']} {e['currency'] or ''}".strip()] += e["amount_minor"] or 0
        readiness = await system.get("reconciliation", f"/v1/recon/close-readiness/{le}/{period}")
        result[le] = {
            **dict(sorted(run_totals[le].items())),
            "exceptions_by_type": dict(sorted(by_type.items())),
            "exception_amounts": {
                k: money(v, k.rsplit(" ", 1)[-1]) if " " in k else str(v) for k, v in sorted(amounts.items())
            },
            "close_readiness": {
                "period": period,
                "ready": readiness.get("remaining", 0) == 0 and readiness["cutoff"]["passed"],
                "remaining": readiness["remaining"],
                "open_exceptions": readiness["open_exceptions"],
                "timing_differences": readiness["timing_differences"],
                "unreconciled_by_channel": [
                    _channel_row(row) for row in readiness["unreconciled_by_channel"]
                ],
            },
        }
    return result


def _channel_row(row: dict[str, Any]) -> str:
    currency = row["currency"] or "XXX"
    exceptions = money(row["exceptions_amount_minor"], currency)
    timing = money(row["timing_amount_minor"], currency)
    return (
        f"{row['channel_id']} {row['currency']}: {row['exceptions']} exception(s) {exceptions}, "
        f"{row['timing_differences']} timing {timing}"
    )


def render(summary: Summary) -> str:
    """Indented `name: value` lines, sections in the order the day happened."""
    lines: list[str] = []

    def walk(value: Any, indent: int) -> None:
        pad = "  " * indent
        if isinstance(value, dict):
            for key, inner in value.items():
                if isinstance(inner, dict | list) and inner:
                    lines.append(f"{pad}{key}:")
                    walk(inner, indent + 1)
                else:
                    lines.append(f"{pad}{key}: {inner if inner != {} and inner != [] else '-'}")
        elif isinstance(value, list):
            lines.extend(f"{pad}- {item}" for item in value)

    walk(summary, 0)
    return "\n".join(lines)
