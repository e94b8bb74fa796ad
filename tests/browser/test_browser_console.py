"""The operations console in headless Chromium (Debian's package, driven by Playwright; no browser
download): each panel shows the seeded figures, an exception is resolved by two people (a proposer
and a different approver), a dead letter is replayed, and screenshots land in tests/browser/artefacts/."""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import httpx
import nats
import pytest
from browser_seed import seed
from browser_system import ARTEFACTS, System
from canon.envelope import NATS_MSG_ID
from canon.ledger import ENTRY_POSTED, EntryPosted, JournalEntry, JournalLine
from canon.money import Money
from messaging.topology import Topology
from playwright.sync_api import Browser, Page, expect, sync_playwright

pytestmark = pytest.mark.integration
T = TypeVar("T")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def seeded(system: System) -> dict[str, Any]:
    return asyncio.run(seed(system))


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine on its own thread: Playwright's sync API keeps an event loop on this one."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@pytest.fixture(scope="module")
def browser(seeded: dict[str, Any]) -> Iterator[Browser]:
    """Started after the system is up and seeded."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, device_scale_factor=1)
    page = context.new_page()
    yield page
    context.close()


def shot(page: Page, name: str) -> None:
    ARTEFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / name), full_page=True)


def sign_in(page: Page, system: System, key: str) -> None:
    if page.locator("#identity").is_visible():
        page.click("#sign-out")
    page.fill("#api-key", key)
    page.click("#key-form button")
    expect(page.locator("body")).to_have_attribute("data-loaded", "true", timeout=30_000)


def kpi(page: Page, testid: str) -> str:
    return page.locator(f'[data-testid="{testid}"] .value').first.inner_text()


def test_each_panel_shows_the_seeded_figures(page: Page, system: System, seeded: dict[str, Any]) -> None:
    page.goto(system.console_url)
    expect(page.locator("#welcome")).to_be_visible()
    shot(page, "01-sign-in.png")
    sign_in(page, system, system.keys["viewer"])
    for service in ("master_data", "promotion", "inventory", "order_ledger", "reconciliation"):
        expect(page.get_by_test_id(f"service-{service}")).to_contain_text(": ok")
    expect(page.locator("#roles")).to_have_text("read-only")

    page.fill("#promotion-ids", "BOGO-LATE, BOGO-NEXT")
    page.click("#deployments-form button")
    expect(page.get_by_test_id("deployment-row")).to_have_count(3)
    assert (kpi(page, "kpi-deployments"), kpi(page, "kpi-acknowledged"), kpi(page, "kpi-late")) == (
        "3",
        "1",
        "1",
    )
    late_rows = page.locator('[data-testid="deployment-row"][data-late="true"]')
    expect(late_rows).to_have_count(1)
    expect(late_rows.first).to_contain_text("BOGO-LATE")
    expect(late_rows.first).to_contain_text("LATE")
    expect(page.get_by_test_id("tally-ECOM-US-TX")).to_contain_text("1")

    drift = page.get_by_test_id("drift-DC-TX")
    expect(drift).to_contain_text("100.0%")
    expect(drift).to_contain_text("3")
    expect(page.get_by_test_id("drift-S-TX-1")).to_contain_text("0.0%")
    assert kpi(page, "kpi-drift-rate") == "50.0%"
    assert page.locator('[data-testid="latency-api"] [data-testid="kpi-postings"] .value').inner_text() == "1"

    readiness = page.get_by_test_id("readiness-LE-NL")
    expect(readiness).to_contain_text("not ready")
    expect(readiness.get_by_test_id("unreconciled")).to_contain_text(seeded["readiness_unreconciled"])
    us = page.get_by_test_id("readiness-LE-US")
    expect(us.locator("td").nth(2)).to_have_text(
        "0"
    )  # nothing remains; not ready only as the cut-off is ahead
    expect(us.get_by_test_id("unreconciled")).to_have_text("—")

    expect(page.get_by_test_id("exception-row")).to_have_count(1)
    expect(page.get_by_test_id("exception-row")).to_contain_text("PSP-1001")
    expect(page.get_by_test_id("exception-row")).to_contain_text("40.00 EUR")

    dlq = page.locator('[data-panel="dlq"]')
    expect(dlq.get_by_test_id("problem")).to_contain_text("lacks the scope 'ops:dlq'")

    page.fill("#trace-order", "O-1001")
    page.click("#trace-form button")
    expect(page.get_by_test_id("stage-sales-transactions")).to_contain_text("sale D-1001")
    expect(page.get_by_test_id("stage-journal-entries")).to_contain_text("LE-NL")
    expect(page.get_by_test_id("stage-exceptions")).to_contain_text("chargeback")
    shot(page, "02-overview-read-only.png")


def test_an_exception_is_resolved_by_a_proposer_and_a_second_approver(
    page: Page, system: System, seeded: dict[str, Any]
) -> None:
    page.goto(system.console_url)
    sign_in(page, system, system.keys["proposer"])
    page.get_by_test_id("exception-row").first.click()
    detail = page.locator("#exception-detail")
    expect(detail.get_by_test_id("side-theirs")).to_contain_text("Chargeback")
    expect(detail.get_by_test_id("side-ours")).to_contain_text("D-1001")
    detail.get_by_test_id("assign-owner").fill("pat")
    detail.get_by_test_id("do-assign").click()
    expect(detail.get_by_test_id("detail-status")).to_have_text("assigned")
    detail.get_by_test_id("propose-reason").select_option("chargeback_accepted")
    detail.get_by_test_id("propose-kind").select_option("chargeback")
    detail.get_by_test_id("do-propose").click()
    expect(detail.get_by_test_id("detail-status")).to_have_text("proposed")
    detail.get_by_test_id("do-approve").click()
    expect(detail.get_by_test_id("problem")).to_contain_text("lacks the scope 'recon:approve'")
    shot(page, "03-proposed-and-refused-to-self-approve.png")

    sign_in(page, system, system.keys["approver"])
    expect(page.locator("#roles")).to_contain_text("approver")
    page.select_option("#filter-status", "proposed")
    page.click("#exceptions-form button")
    page.get_by_test_id("exception-row").first.click()
    detail.get_by_test_id("do-approve").click()
    expect(detail.get_by_test_id("detail-status")).to_have_text("resolved")
    expect(detail.get_by_test_id("detail-approved-by")).to_have_text("quinn")
    expect(page.get_by_test_id("readiness-LE-NL")).to_contain_text(seeded["readiness_after_unreconciled"])
    shot(page, "04-approved-by-a-second-user.png")

    resolved = httpx.get(
        f"{system.url('reconciliation')}/v1/recon/exceptions/{seeded['exception_id']}",
        headers={"X-API-Key": system.admin_key},
    ).json()
    assert (resolved["status"], resolved["proposed_by"], resolved["approved_by"]) == (
        "resolved",
        "pat",
        "quinn",
    )
    assert resolved["adjusting_entry"]["amount_minor"] == 4000
    # the approved adjustment is posted by the ledger and comes back to reconciliation as an entry
    assert recon_ledger_entries(system, until=2) == 2


def test_an_operator_replays_a_dead_letter(page: Page, system: System, seeded: dict[str, Any]) -> None:
    run_async(dead_letter(system))
    page.goto(system.console_url)
    sign_in(page, system, system.keys["approver"])
    dlq = page.locator('[data-panel="dlq"]')
    depth = run_async(dlq_depth(system))
    assert depth >= 1
    assert kpi(page, "kpi-dlq-depth") == str(depth)
    ours = dlq.locator('[data-testid="dead-letter"]', has_text="recon-ledger")
    expect(ours).to_have_count(1)
    expect(ours).to_contain_text("retail.ledger.entry_posted.v1")
    shot(page, "05-dead-letter.png")
    ours.get_by_test_id("replay").click()
    expect(page.locator("#toast")).to_contain_text("replayed")
    expect(dlq.get_by_test_id("kpi-dlq-depth").locator(".value")).to_have_text(str(depth - 1))
    expect(ours).to_have_count(0)
    assert run_async(dlq_depth(system)) == depth - 1
    shot(page, "06-dead-letter-replayed.png")

    # the sale, the chargeback's adjusting entry, and now the replayed entry
    assert recon_ledger_entries(system, until=3) == 3, "reconciliation never took the replayed ledger entry"


def late_entry(now: datetime) -> JournalEntry:
    """A ledger entry reconciliation had dead-lettered (say, before a fix); valid, so a replay takes it."""
    eur = lambda minor: Money(minor, "EUR")  # noqa: E731
    return JournalEntry(
        entry_id="E-D-2002",
        legal_entity_id="LE-NL",
        currency="EUR",
        business_date=now.date(),
        period_id=f"{now:%Y-%m}",
        posted_at=now - timedelta(minutes=10),
        source_system="web",
        document_id="D-2002",
        order_id="O-2002",
        transaction_kind="sale",
        channel_id="WEB-NL",
        node_id="DC-NL",
        lines=[
            JournalLine(
                account="1150",
                role="tender_clearing",
                side="debit",
                amount=eur(1500),
                tender_kind="card",
                processor="adyen",
                processor_reference="PSP-2002",
            ),
            JournalLine(account="4000", role="revenue", side="credit", amount=eur(1500)),
        ],
    )


def recon_ledger_entries(system: System, until: int) -> int:
    """Ledger entries reconciliation holds, polled until `until` arrive (or 20 s pass)."""
    for _ in range(100):
        status = httpx.get(
            f"{system.url('reconciliation')}/v1/recon/status", headers={"X-API-Key": system.admin_key}
        ).json()
        if status["ledger_entries"] >= until:
            break
        time.sleep(0.2)
    return int(status["ledger_entries"])


async def dlq_depth(system: System) -> int:
    client = await nats.connect(system.nats_url)
    try:
        info = await client.jetstream().stream_info(Topology(system.namespace).stream("DLQ").name)
        return int(info.state.messages)
    finally:
        await client.close()


async def dead_letter(system: System) -> None:
    """Store a dead letter as DeadLetters.send does: the original event, its headers, and the reason."""
    topology = Topology(system.namespace)
    now = datetime.now(UTC)
    envelope = ENTRY_POSTED.envelope("/retail-sync/order_ledger", subject="E-D-2002", id="evt-browser-dead-1")
    headers = {k: v for k, v in envelope.to_headers().items() if k != NATS_MSG_ID} | {
        NATS_MSG_ID: "dlq:recon-ledger:LEDGER:1",
        "dlq-reason": "transient: could not serialize access due to concurrent update (retries exhausted)",
        "dlq-original-subject": ENTRY_POSTED.subject,
        "dlq-consumer": "recon-ledger",
        "dlq-deliveries": "5",
        "dlq-failed-at": (now - timedelta(minutes=5)).isoformat(),
    }
    client = await nats.connect(system.nats_url)
    try:
        await client.jetstream().publish(
            topology.dlq_subject("recon-ledger"),
            ENTRY_POSTED.encode(EntryPosted(entry=late_entry(now))),
            headers=headers,
        )
    finally:
        await client.close()
