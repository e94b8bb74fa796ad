"""reconciliation as its own process on real PostgreSQL and NATS: the issue's acceptance checks."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from canon.envelope import Envelope
from canon.ledger import ENTRY_POSTED, EntryPosted
from canon.recon import VARIANCE_POSTED
from canon.sales import TRANSACTION_RECORDED, TransactionRecorded
from messaging.topology import Topology
from nats.aio.client import Client as NatsClient
from recon_builders import adyen_file, adyen_payout_row, adyen_row, camt053, card_sale_entry, sale_transaction
from retail_platform.api_keys import ApiKeyStore
from retail_platform.database import create_engine, session_factory
from retail_testing.service_process import RunningService, running_service

pytestmark = pytest.mark.integration
SAMPLES = Path(__file__).resolve().parents[4] / ".." / "shared" / "samples"
DAY = (datetime.now(UTC) - timedelta(days=1)).date()
PERIOD = f"{DAY:%Y-%m}"


@pytest.fixture(scope="module")
def service(
    postgres_server_url: str, nats_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningService]:
    scratch = tmp_path_factory.mktemp("reconciliation")
    inbox = {"RETAIL_SYNC_RECONCILIATION_INBOX_DIR": str(scratch / "inbox")}
    with running_service(
        "reconciliation", server_url=postgres_server_url, nats_url=nats_url, scratch=scratch, extra_env=inbox
    ) as running:
        yield running


@pytest.fixture
async def api(service: RunningService) -> AsyncIterator[httpx.AsyncClient]:
    headers = {"X-API-Key": service.admin_key}
    async with httpx.AsyncClient(base_url=service.process.base_url, headers=headers, timeout=60) as client:
        yield client


async def upload(
    api: httpx.AsyncClient, content: bytes, name: str, entity: str = "LE-NL", **params: str
) -> httpx.Response:
    return await api.post(
        "/v1/recon/files", params={"legal_entity_id": entity, "filename": name, **params}, content=content
    )


# (sample, text to corrupt, corrupted text); None: corrupt the first amount of the last camt.053 entry.
CORRUPTIONS: dict[str, tuple[str, str] | None] = {
    "adyen_settlement/settlement_detail_report_chargeback.csv": (",USD,3.00,", ",USD,3.0x,"),
    "adyen_settlement/settlement_detail_report_donation.csv": (",0.76,", ",0.7x,"),
    "adyen_settlement/settlement_detail_report_invoice_deduction.csv": (",USD,0.06,", ",USD,0.0x,"),
    "adyen_settlement/settlement_detail_report_refund.csv": (",USD,1.00,", ",USD,1.0x,"),
    "paypal_stl/stl.csv": ('"CR",5200,', '"CR",52x0,'),
    "paypal_stl/stl_currency_convert.csv": ('"CR",2200,', '"CR",22x0,'),
    # a JSON transaction is named by the line its object starts on (line 2), not the amount's line
    "braintree_settlement/raw_settlement_batch_report.json": (
        '    "amount": {\n      "value": "3.10"',
        '    "amount": {\n      "value": "3.1x"',
    ),
    "camt053/genkgo_camt053.v2.multi.statement.xml": None,
    "camt053/oca_test-camt053.xml": None,
    "mt940/jejik_abnamro.sta": (":61:1105240524D9,N192", ":61:1105X40524D9,N192"),
    "mt940/betterplace_sepa_snippet.sta": ("CR50990,05N", "CR5099x,05N"),
    "bai2/moov_sample1.txt": ("16,409,000000000002500", "16,409,0000000000025x0"),
    "bai2/moov_sample2.txt": ("16,115,450000,", "16,115,45x000,"),
}


def corrupted(sample: str) -> tuple[bytes, int]:
    """A copy with one bad amount, and the line the rejection must name."""
    text = (SAMPLES / sample).read_bytes().decode("utf-8")
    case = CORRUPTIONS[sample]
    if case is None:  # the parser names the entry (<Ntry>) whose amount is bad
        entry = text.rindex("<Ntry>")
        start = text.index('<Amt Ccy="', entry)
        end = text.index("<", start + 5)
        return (text[:end] + "x" + text[end:]).encode(), text[:entry].count("\n") + 1
    position = text.index(case[0])
    if sample.endswith(".json"):
        position = text.rindex("\n  {", 0, position) + 1
    return text.replace(case[0], case[1], 1).encode(), text[:position].count("\n") + 1


@pytest.mark.parametrize("sample", sorted(CORRUPTIONS))
async def test_each_sample_is_taken_as_is_and_a_corrupted_copy_is_rejected_with_its_line(
    api: httpx.AsyncClient, sample: str
) -> None:
    content = (SAMPLES / sample).read_bytes()
    entity = "LE-" + Path(sample).stem.upper()  # two Adyen samples share batch 3: different merchants here
    taken = await upload(api, content, Path(sample).name, entity=entity)
    assert taken.status_code == 201, taken.text
    assert taken.json()["status"] == "taken"
    again = await upload(api, content, "renamed-" + Path(sample).name, entity=entity)
    assert (again.status_code, again.json()["status"]) == (200, "duplicate")
    bad, line = corrupted(sample)
    rejected = await upload(api, bad, Path(sample).name, entity=entity)
    assert rejected.status_code == 422
    assert rejected.headers["content-type"].startswith("application/problem+json")
    body = rejected.json()
    assert (body["status"], body["outcome"]) == (422, "rejected")
    assert f"line {body['problems'][0]['line']}" in body["detail"]
    assert line in [problem["line"] for problem in body["problems"]], body["problems"]


async def publish(
    nats_client: NatsClient, namespace: str, event_type: Any, payload: Any, event_id: str
) -> None:
    topology = Topology(namespace)
    envelope = Envelope.new(event_type.type, "/retail-sync/order_ledger", id=event_id)
    await nats_client.jetstream().publish(
        topology.subject(event_type.subject), event_type.encode(payload), headers=envelope.to_headers()
    )


async def wait_for(api: httpx.AsyncClient, **counts: int) -> None:
    for _ in range(200):
        status = (await api.get("/v1/recon/status")).json()
        if all(status[name] >= value for name, value in counts.items()):
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"read models did not catch up: {status}")


async def recon_events(nats_client: NatsClient, namespace: str, subject: str) -> list[bytes]:
    topology = Topology(namespace)
    js = nats_client.jetstream()
    subscription = await js.pull_subscribe(topology.subject(subject), stream=topology.stream("RECON").name)
    found: list[bytes] = []
    for _ in range(20):
        try:
            for message in await subscription.fetch(50, timeout=0.5):
                found.append(message.data)
                await message.ack()
        except TimeoutError:
            if found:
                break
    await subscription.unsubscribe()
    return found


SALES = {
    "P1": (1000, "0.30"),
    "P2": (2500, "0.50"),
    "P3": (1200, "0.24"),
    "P4": (900, "0.18"),
    "P5": (800, "0.16"),
}


async def test_a_day_of_card_sales_settled_paid_out_and_closed(
    api: httpx.AsyncClient, nats_client: NatsClient, service: RunningService
) -> None:
    namespace = service.namespace
    for reference, (amount, _) in SALES.items():
        entry = card_sale_entry(reference, amount, day=DAY, tax_minor=amount // 11)
        tx = sale_transaction(reference, amount, tax_minor=amount // 11, discount_minor=0, day=DAY)
        await publish(nats_client, namespace, ENTRY_POSTED, EntryPosted(entry=entry), f"e-{reference}")
        recorded = TransactionRecorded(transaction=tx, recorded_at=datetime.now(UTC))
        await publish(nats_client, namespace, TRANSACTION_RECORDED, recorded, f"t-{reference}")
    await wait_for(api, tender_lines=5, sales_documents=5)

    created = f"{DAY:%Y-%m-%d} 22:00:00"
    rows = [
        adyen_row(
            ref,
            "Settled",
            f"{amount / 100:.2f}",
            f"{(amount - round(float(fee) * 100)) / 100:.2f}",
            fee=fee,
            created=created,
        )
        for ref, (amount, fee) in SALES.items()
        if ref != "P4"  # P4 is missing from the settlement
    ]
    rows.append(
        adyen_row(
            "P2", "Chargeback", "25.00", "27.00", fee="2.00", debit=True, modification="CB-1", created=created
        )
    )
    rows.append(adyen_payout_row("26.80", "TXPAYOUT01", created=created))  # the batch net: 53.80 - 27.00
    settlement = adyen_file(rows)
    response = await upload(api, settlement, "adyen_batch7.csv", channel_id="WEB-NL")
    assert response.status_code == 201, response.text
    run = response.json()["run"]
    assert (run["reference_matches"], run["variances_posted"], run["exceptions_raised"]) == (4, 1, 1)

    bank = camt053(
        [("26.80", f"{DAY + timedelta(days=1):%Y-%m-%d}", "ADYEN TXPAYOUT01 batch 7")],
        statement_id=f"STMT-{DAY:%Y%m%d}",
    )
    bank_response = await upload(api, bank, "camt.xml")
    assert bank_response.status_code == 201, bank_response.text
    assert bank_response.json()["run"]["payout_links"] == 1

    variances = [
        VARIANCE_POSTED.decode(data)
        for data in await recon_events(nats_client, namespace, "retail.recon.variance_posted.v1")
    ]
    variances = [v for v in variances if v.legal_entity_id == "LE-NL"]
    assert [(v.kind, v.amount.amount_minor, v.channel_id, v.settlement_report_id) for v in variances] == [
        ("processor_fee", 30 + 50 + 24 + 16 + 200, "WEB-NL", "7")
    ]

    exceptions = (
        await api.get("/v1/recon/exceptions", params={"legal_entity_id": "LE-NL", "status": "open"})
    ).json()
    assert [(e["exception_type"], e["reference"], e["amount_minor"]) for e in exceptions] == [
        ("chargeback", "P2", 2500)
    ]
    [chargeback] = exceptions
    detail = (await api.get(f"/v1/recon/exceptions/{chargeback['exception_id']}")).json()
    assert [line["record_type"] for line in detail["evidence"]["settlement"]] == ["chargeback"]
    assert [line["document_id"] for line in detail["evidence"]["ledger"]] == ["DOC-P2"]

    readiness = (await api.get(f"/v1/recon/close-readiness/LE-NL/{PERIOD}")).json()
    assert (readiness["open_exceptions"], readiness["timing_differences"], readiness["ready"]) == (
        1,
        1,
        False,
    )
    assert readiness["unreconciled_by_channel"] == [
        {
            "channel_id": "WEB-NL",
            "currency": "EUR",
            "count": 2,
            "amount_minor": 2500 + 900,
            "exceptions": 1,
            "exceptions_amount_minor": 2500,
            "timing_differences": 1,
            "timing_amount_minor": 900,
        }
    ]

    later = (datetime.now(UTC) + timedelta(days=10)).isoformat()
    closed = (await api.post("/v1/recon/runs", json={"legal_entity_id": "LE-NL", "as_of": later})).json()
    assert (closed["exceptions_raised"], closed["open_exceptions"]) == (1, 2)
    rerun = (await api.post("/v1/recon/runs", json={"legal_entity_id": "LE-NL", "as_of": later})).json()
    assert (rerun["reference_matches"], rerun["payout_links"], rerun["variances_posted"]) == (0, 0, 0)
    assert (rerun["exceptions_raised"], rerun["exceptions_auto_resolved"], rerun["open_exceptions"]) == (
        0,
        0,
        2,
    )
    again = await upload(api, settlement, "adyen_batch7_resent.csv")
    assert (again.status_code, again.json()["status"]) == (200, "duplicate")

    final = (await api.get(f"/v1/recon/close-readiness/LE-NL/{PERIOD}", params={"as_of": later})).json()
    types = sorted((t["exception_type"], t["amount_minor"]) for t in final["exceptions_by_type"])
    assert types == [("chargeback", 2500), ("missing_in_settlement", 900)]
    assert (final["remaining"], final["timing_differences"]) == (2, 0)


async def test_maker_checker_refuses_the_proposer_and_a_second_user_resolves(
    api: httpx.AsyncClient, service: RunningService, nats_client: NatsClient
) -> None:
    engine = create_engine(service.database_url)
    try:
        _, checker_key = await ApiKeyStore(session_factory(engine)).create("checker", ["recon:*"])
    finally:
        await engine.dispose()
    await api.post(
        "/v1/recon/files",
        params={"legal_entity_id": "LE-MC", "filename": "cb.csv"},
        content=adyen_file([adyen_row("MC1", "Chargeback", "40.00", "40.00", debit=True, batch="91")]),
    )
    [case] = (await api.get("/v1/recon/exceptions", params={"legal_entity_id": "LE-MC"})).json()
    path = f"/v1/recon/exceptions/{case['exception_id']}"
    assert (await api.post(f"{path}/assign", json={"owner": "alice"})).json()["status"] == "assigned"
    proposal = {
        "reason_code": "chargeback_accepted",
        "adjusting_entry": {"kind": "chargeback", "amount_minor": 4000, "currency": "EUR"},
    }
    assert (await api.post(f"{path}/propose", json=proposal)).json()["status"] == "proposed"
    refused = await api.post(f"{path}/approve")
    assert refused.status_code == 403
    assert "cannot approve" in refused.json()["detail"]
    approved = await api.post(f"{path}/approve", headers={"X-API-Key": checker_key})
    assert approved.status_code == 200, approved.text
    body = approved.json()
    assert (body["status"], body["approved_by"], body["proposed_by"]) == ("resolved", "checker", "bootstrap")
    assert [(s["action"], s["actor"]) for s in body["audit"]] == [
        ("opened", "system"),
        ("assigned", "bootstrap"),
        ("proposed", "bootstrap"),
        ("approved", "checker"),
        ("resolved", "checker"),
    ]
    variances = [
        VARIANCE_POSTED.decode(d)
        for d in await recon_events(nats_client, service.namespace, "retail.recon.variance_posted.v1")
    ]
    assert ("chargeback", 4000, "LE-MC") in [
        (v.kind, v.amount.amount_minor, v.legal_entity_id) for v in variances
    ]
    assert (await api.post(f"{path}/approve", headers={"X-API-Key": checker_key})).status_code == 409


async def test_a_file_dropped_in_the_watched_folder_is_taken(
    api: httpx.AsyncClient, service: RunningService
) -> None:
    inbox = Path(service.process.env["RETAIL_SYNC_RECONCILIATION_INBOX_DIR"]) / "LE-DROP"
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / "drop.csv").write_bytes(
        adyen_file([adyen_row("DROP1", "Settled", "5.00", "4.90", fee="0.10", batch="55")])
    )
    (inbox / "bad.csv").write_bytes(adyen_file([adyen_row("DROP2", "Settled", "5.0x", "4.90", batch="56")]))
    for _ in range(100):
        if len(list(inbox.glob("*/*.outcome.json"))) == 2:
            break
        await asyncio.sleep(0.1)
    assert len(list((inbox / "processed").glob("*.outcome.json"))) == 1
    [rejected] = list((inbox / "rejected").glob("*.outcome.json"))
    assert '"line":2' in rejected.read_text()
