"""The demo's retail day through every service, each its own process, on real PostgreSQL and NATS.

The demo runs in-process against the five services (one NATS namespace, one admin key). Every figure
the services report is compared with what the generated day implies, computed here independently of
the services (the demo's own model of the day), and the anomalies planted in the day must come out as
exactly the expected exceptions, and nothing else.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter, defaultdict
from typing import Any

import pytest
from retail_sync_cli.demo.day import DRIFTS, DemoSize, TradingDay, generate_day
from retail_sync_cli.demo.money_files import MoneyFiles, write_money_files
from retail_sync_cli.demo.run import DemoOptions, default_trading_day, run_demo
from retail_sync_cli.demo.summary import money, render
from retail_testing.service_process import RunningService

pytestmark = pytest.mark.integration

SEED = 11
SIZE = DemoSize(skus=300, pos_per_store=16, web_orders=36, amazon_orders=12)


@pytest.fixture(scope="module")
def day() -> TradingDay:
    return generate_day(SEED, default_trading_day(), SIZE)


@pytest.fixture(scope="module")
def files(day: TradingDay) -> MoneyFiles:
    return write_money_files(day)


@pytest.fixture(scope="module")
def summary(whole_system: tuple[dict[str, RunningService], str], day: TradingDay) -> dict[str, Any]:
    services, admin_key = whole_system
    options = DemoOptions(
        urls={name: s.process.base_url for name, s in services.items()},
        admin_key=admin_key,
        seed=SEED,
        size=SIZE,
        trading_day=day.trading_day,
        deadline_s=90.0,
    )
    started = time.monotonic()
    result = asyncio.run(
        run_demo(options, say=lambda text: print(f"{time.monotonic() - started:6.1f}s {text}"))
    )
    print(render(result))
    return result


def test_master_data_holds_the_whole_retailer(summary: dict[str, Any]) -> None:
    assert summary["master_data"] == {
        "legal_entity": 2,
        "fiscal_calendar": 4,
        "gl_account": 42,
        "accounting_dimension": 2,
        "channel": 4,
        "node": 15,
        "category": 6,
        "tax_code": 5,
        "item": 300,
        "item_cost": 600,
    }


def test_the_bogo_deploys_everywhere_but_the_region_without_a_tax_mapping(summary: dict[str, Any]) -> None:
    promotion = summary["promotion"]
    assert (promotion["author"], promotion["approved_by"]) == ("pat.merchandising", "quinn.finance")
    assert promotion["status"] == "ended"  # its two-day window closed yesterday
    assert promotion["by_target"] == [
        "AMAZON-US US-NY: sent",
        "STORES-NL NL/RANDSTAD: acknowledged",
        "STORES-US US-NY/METRO: acknowledged",
        "STORES-US US-NY/SUBURBAN: acknowledged",
        "STORES-US US-TX/METRO: failed",
        "STORES-US US-TX/RURAL: failed",
        "WEB-US US-NY: acknowledged",
    ]
    assert promotion["deployments_by_status"] == {"acknowledged": 4, "failed": 2, "sent": 1}
    assert promotion["late"] == 5  # scheduled after its window opened: every deployment that went out
    assert len(promotion["failures"]) == 1
    assert promotion["failures"][0].startswith("no tax mapping for tax class 'food' in region 'US-TX'")


def test_inventory_ends_where_the_movements_and_counts_put_it(
    summary: dict[str, Any], day: TradingDay
) -> None:
    inventory = summary["inventory"]
    expected = [sum(state[i] for state in day.stock.values()) for i in range(3)]
    assert [inventory["on_hand"], inventory["reserved"], inventory["damaged"]] == expected
    assert inventory["positions"] == len(day.stock) == len(day.fast_movers) * 15
    assert inventory["count_lines"] == sum(len(s["lines"]) for s in day.snapshots)
    assert inventory["count_lines_by_action"] == {
        "auto_adjust": 4,
        "exception": 2,
        "none": inventory["count_lines"] - 6,
    }
    assert inventory["drift_units_net"] == sum(DRIFTS)
    drifting = {node: text.split(",")[0] for node, text in inventory["drift_by_node"].items()}
    assert sum(int(text.split("/")[0]) for text in drifting.values()) == 6


def _expected_ledger(day: TradingDay) -> dict[str, Any]:
    tendered: defaultdict[str, int] = defaultdict(int)
    cogs: defaultdict[str, int] = defaultdict(int)
    for order in day.orders:
        tendered[order.currency] += order.basket.total_minor
        if order.fulfilment == "shipped":
            for line in order.basket.lines:
                cogs[order.currency] += line.item.cost_minor * line.quantity
    for returned in day.returns:
        tendered[returned.order.currency] -= returned.line.paid_minor
        # back in stock or written off, the returned units leave cost of goods sold at their cost
        cogs[returned.order.currency] -= returned.line.item.cost_minor * returned.line.quantity
    by_channel = Counter(f"{o.channel_id} sale" for o in day.orders) + Counter(
        f"{r.order.channel_id} return" for r in day.returns
    )
    shipments = sum(1 for m in day.movements if m["type"] == "ship")
    return {
        "transactions": len(day.orders) + len(day.returns),
        "transactions_by_channel": dict(sorted(by_channel.items())),
        "tendered_net": {c: money(v, c) for c, v in sorted(tendered.items())},
        "entries_by_kind": {
            "return": len(day.returns),
            "return_disposition": len(day.returns),
            "sale": len(day.orders),
            "shipment": shipments,
        },
        "cogs": {c: money(v, c) for c, v in sorted(cogs.items())},
    }


def test_every_sale_and_return_is_posted_once_balanced_with_cost_of_goods_sold(
    summary: dict[str, Any], day: TradingDay
) -> None:
    ledger, expected = summary["order_ledger"], _expected_ledger(day)
    assert ledger["rejected"] == 0
    assert ledger["transactions"] == expected["transactions"]
    assert ledger["transactions_by_channel"] == expected["transactions_by_channel"]
    assert ledger["tendered_net"] == expected["tendered_net"]
    assert ledger["entries_by_kind"] == expected["entries_by_kind"]
    assert ledger["balanced"] is True
    assert {c: ledger["by_role"][f"cogs {c}"] for c in ("EUR", "USD")} == {
        c: expected["cogs"][c] for c in ("EUR", "USD")
    }
    assert ledger["by_role"]["tender_clearing USD"] == expected["tendered_net"]["USD"]
    assert ledger["by_role"]["tender_clearing EUR"] == expected["tendered_net"]["EUR"]


def test_the_money_files_reconcile_but_for_the_planted_exceptions(
    summary: dict[str, Any], day: TradingDay, files: MoneyFiles
) -> None:
    recon = summary["reconciliation"]
    assert recon["files"] == {
        "bank camt053 taken": 2,
        "settlement adyen taken": 2,
        "settlement amazon taken": 1,
    }
    us, nl = files.adyen["LE-US"], files.adyen["LE-NL"]
    chargeback = next(o for o in day.orders if o.document_id == us.chargeback)
    assert recon["LE-US"]["exceptions_by_type"] == {"chargeback (open)": 1, "missing_in_ledger (open)": 1}
    assert recon["LE-US"]["exception_amounts"] == {
        "chargeback USD": money(chargeback.basket.total_minor, "USD"),
        "missing_in_ledger USD": money(2347, "USD"),
    }
    assert recon["LE-NL"]["exceptions_by_type"] == {}
    us_cards = [o for o in day.orders if o.legal_entity_id == "LE-US" and o.tender_kind != "cash"]
    nl_cards = [o for o in day.orders if o.legal_entity_id == "LE-NL" and o.tender_kind == "card"]
    us_refunds = [
        r for r in day.returns if r.order.legal_entity_id == "LE-US" and r.order.tender_kind != "cash"
    ]
    nl_refunds = [
        r for r in day.returns if r.order.legal_entity_id == "LE-NL" and r.order.tender_kind == "card"
    ]
    assert recon["LE-US"]["reference_matches"] == len(us_cards) - len(us.timing_gap) + len(us_refunds)
    assert recon["LE-NL"]["reference_matches"] == len(nl_cards) + len(nl_refunds)
    assert (recon["LE-US"]["amount_date_matches"], recon["LE-NL"]["amount_date_matches"]) == (0, 0)
    assert (recon["LE-US"]["payout_links"], recon["LE-NL"]["payout_links"]) == (1, 1)
    late = [o for o in day.orders if o.document_id in us.timing_gap]
    assert recon["LE-US"]["close_readiness"] == {
        "period": f"{day.trading_day:%Y-%m}",
        "ready": False,
        "remaining": 2 + len(us.timing_gap),
        "open_exceptions": 2,
        "timing_differences": len(us.timing_gap),
        "unreconciled_by_channel": sorted(
            _channel_rows(chargeback.channel_id, chargeback.basket.total_minor, late)
        ),
    }
    assert recon["LE-NL"]["close_readiness"]["remaining"] == 0
    assert nl.payout_minor > 0
    assert us.payout_minor > 0


def _channel_rows(chargeback_channel: str, chargeback_minor: int, late: list[Any]) -> list[str]:
    rows: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    rows[chargeback_channel][0] += 1
    rows[chargeback_channel][1] += chargeback_minor
    rows["unassigned"][0] += 1
    rows["unassigned"][1] += 2347
    for order in late:
        rows[order.channel_id][2] += 1
        rows[order.channel_id][3] += order.basket.total_minor
    return [
        f"{channel} USD: {n} exception(s) {money(amount, 'USD')}, {t} timing {money(timing, 'USD')}"
        for channel, (n, amount, t, timing) in rows.items()
    ]


def test_the_demo_is_deterministic(day: TradingDay) -> None:
    again = generate_day(SEED, day.trading_day, SIZE)
    assert [o.basket.total_minor for o in again.orders] == [o.basket.total_minor for o in day.orders]
    assert again.movements == day.movements
    assert write_money_files(again).files == write_money_files(day).files
