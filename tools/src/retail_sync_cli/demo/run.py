"""The whole demo day against a running system, returning the summary (in-process, for the CLI and tests)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx

from retail_sync_cli.demo.api import System
from retail_sync_cli.demo.day import DemoSize, generate_day
from retail_sync_cli.demo.money_files import reconcile, upload_money_files, write_money_files
from retail_sync_cli.demo.steps import (
    Progress,
    count_stock,
    issue_people_keys,
    load_master_data,
    record_movements,
    record_sales,
    run_campaign,
    wait_for_reconciliation_feeds,
)
from retail_sync_cli.demo.summary import (
    Summary,
    inventory_summary,
    ledger_summary,
    master_summary,
    promotion_summary,
    reconciliation_summary,
)

TRADING_DAY_LAG = timedelta(days=2)
"""The demo replays the day before yesterday (UTC): this morning the settlement and bank files for it
are in, the card settlement window (5 days) is still open and the bank window (3 days) too, while a
capture the ledger never saw is already overdue (1 day). Reconciliation judges windows by the clock."""


@dataclass
class DemoOptions:
    urls: dict[str, str]
    admin_key: str
    seed: int = 7
    size: DemoSize = field(default_factory=DemoSize)
    trading_day: date | None = None
    author_key: str | None = None
    approver_key: str | None = None
    deadline_s: float = 120.0


def default_trading_day() -> date:
    return datetime.now(UTC).date() - TRADING_DAY_LAG


def _quiet(step: str, done: int, total: int) -> None:
    pass


async def run_demo(options: DemoOptions, progress: Progress = _quiet, say: Any = None) -> Summary:
    """Load, trade, settle, reconcile; then read every context back. `say(text)` narrates the steps."""
    say = say or (lambda text: None)
    trading_day = options.trading_day or default_trading_day()
    day = generate_day(options.seed, trading_day, options.size)
    async with httpx.AsyncClient(timeout=60.0) as client:
        key = options.admin_key
        system = System(options.urls, key, key, key, client, options.deadline_s)
        if options.author_key and options.approver_key:
            system.author_key, system.approver_key = options.author_key, options.approver_key
        else:
            say("issuing the author's and the approver's API keys in every service")
            keys = await issue_people_keys(system, options.admin_key)
            system.author_key, system.approver_key = keys["author"], keys["approver"]
        say(f"master data: {len(day.items)} items, 2 legal entities, 3 regions, 15 nodes, 4 channels")
        loaded = await load_master_data(system, day, progress)
        say("weekend BOGO: authored, approved by a second person, scheduled, distributed")
        await run_campaign(system, day, options.admin_key)
        say(f"trading day {trading_day}: {len(day.orders)} orders, {len(day.returns)} returns")
        await record_sales(system, day, progress)
        await record_movements(system, day, progress)
        say("closing counts in three stores and the US DC")
        await count_stock(system, day)
        say("waiting for the ledger's cost of goods sold and reconciliation's read models")
        await wait_for_reconciliation_feeds(system, day)
        say("settlement (Adyen, Amazon) and bank (camt.053) files uploaded; reconciling")
        files = write_money_files(day)
        uploads = await upload_money_files(system, files)
        runs = await reconcile(system)
        say("reading back what every context ended with")
        return {
            "trading_day": trading_day.isoformat(),
            "seed": options.seed,
            "master_data": await master_summary(system, list(loaded)),
            "promotion": await promotion_summary(system, day),
            "inventory": await inventory_summary(system, day),
            "order_ledger": await ledger_summary(system, day),
            "reconciliation": await reconciliation_summary(system, day, uploads, runs),
        }
