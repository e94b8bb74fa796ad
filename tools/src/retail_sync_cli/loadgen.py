"""`retail-sync loadgen`: a bounded, steady load of sales, stock movements and settlement lines.

Sales go to the ledger as `retail.sales.transaction_submitted.v1`, movements to inventory as
`retail.inventory.movement_submitted.v1` (both on NATS, `Nats-Msg-Id` = a deterministic event id) and
settlement lines to reconciliation as Adyen settlement files over REST. Counts and duration are
bounded and the run stops by itself. Every input is sent until it is accepted (a JetStream ack, or
201/200 from reconciliation) or its own deadline passes; a retry re-sends the same event id or the
same file, so the services' de-duplication, not luck, keeps a retried input from counting twice.
The report lists every input with whether it was accepted, for a count check afterwards.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import click
import httpx
import msgspec
import nats
from canon.ids import deterministic_id, event_id_for
from canon.inventory import MOVEMENT_SUBMITTED
from canon.money import Money
from canon.sales import SalesLine, SalesTransaction, TaxLine, Tender
from canon.sales_intake import TRANSACTION_SUBMITTED, TransactionSubmitted
from messaging.publisher import Publisher
from messaging.topology import Topology

ADYEN_HEADER = (
    "Company Account,Merchant Account,Psp Reference,Merchant Reference,Payment Method,Creation Date,TimeZone,"
    "Type,Modification Reference,Gross Currency,Gross Debit (GC),Gross Credit (GC),Exchange Rate,"
    "Net Currency,Net Debit (NC),Net Credit (NC),Commission (NC),Markup (NC),Scheme Fees (NC),"
    "Interchange (NC),Payment Method Variant,Modification Merchant Reference,Batch Number,"
    "Reserved4,Reserved5,Reserved6,Reserved7,Reserved8,Reserved9,Reserved10"
)
SOURCE = "loadgen"


@dataclass(frozen=True, slots=True)
class LoadPlan:
    """What to send: counts are totals, spread evenly over ``duration_s``."""

    run_id: str
    sales: int = 300
    movements: int = 300
    settlement_lines: int = 100
    duration_s: float = 10.0
    lines_per_file: int = 25
    skus: tuple[str, ...] = tuple(f"LG-{n}" for n in range(8))
    node: str = "DC1"
    legal_entity_id: str = "LE-US"
    channel_id: str = "WEB"
    currency: str = "USD"
    business_date: date = field(default_factory=lambda: (datetime.now(UTC) - timedelta(days=1)).date())
    input_deadline_s: float = 60.0
    concurrency: int = 32
    ships: bool = True
    """False: receipts only (e.g. a backlog for inventory alone, without cost-of-goods postings)."""

    def __post_init__(self) -> None:
        if min(self.sales, self.movements, self.settlement_lines) < 0 or self.duration_s <= 0:
            raise ValueError("counts must be >= 0 and duration_s > 0")
        if self.settlement_lines > self.sales:
            raise ValueError("settlement_lines settle sales: give at most as many as sales")
        if not self.run_id.replace("-", "").isalnum():
            raise ValueError(f"run_id must be letters, digits and '-', got {self.run_id!r}")


@dataclass(frozen=True, slots=True)
class LoadTarget:
    nats_servers: tuple[str, ...]
    namespace: str = ""
    reconciliation_url: str | None = None
    api_key: str | None = None


@dataclass(slots=True)
class Input:
    """One input sent: its business key, what it carries and whether a service accepted it."""

    kind: str  # sale | movement | settlement_line
    key: str
    detail: dict[str, Any]
    accepted: bool = False
    attempts: int = 0


@dataclass(slots=True)
class LoadReport:
    plan: LoadPlan
    inputs: list[Input] = field(default_factory=list)
    elapsed_s: float = 0.0

    def of(self, kind: str, *, accepted: bool | None = None) -> list[Input]:
        return [i for i in self.inputs if i.kind == kind and (accepted is None or i.accepted == accepted)]

    def summary(self) -> dict[str, Any]:
        kinds = ("sale", "movement", "settlement_line")
        return {
            "run_id": self.plan.run_id,
            "elapsed_s": round(self.elapsed_s, 2),
            "sent": {k: len(self.of(k)) for k in kinds},
            "accepted": {k: len(self.of(k, accepted=True)) for k in kinds},
            "retried": sum(1 for i in self.inputs if i.attempts > 1),
        }


def sale(plan: LoadPlan, n: int) -> SalesTransaction:
    """Sale n: one line, tax 10 %, paid by card (Adyen) with a reference reconciliation can match."""
    price = Money(1000 + n % 500, plan.currency)
    tax = Money(price.amount_minor // 10, plan.currency)
    tender = Tender(
        tender_id="1",
        kind="card",
        amount=Money(price.amount_minor + tax.amount_minor, plan.currency),
        processor="adyen",
        processor_reference=f"{plan.run_id}-psp-{n}",
    )
    return SalesTransaction(
        source_system=SOURCE,
        document_id=f"{plan.run_id}-S-{n}",
        kind="sale",
        order_id=f"{plan.run_id}-O-{n}",
        channel_id=plan.channel_id,
        node_id=plan.node,
        legal_entity_id=plan.legal_entity_id,
        currency=plan.currency,
        business_date=plan.business_date,
        occurred_at=datetime.combine(plan.business_date, datetime.min.time(), tzinfo=UTC)
        + timedelta(seconds=n),
        lines=[
            SalesLine(
                line_id="1",
                sku=plan.skus[n % len(plan.skus)],
                quantity=1,
                unit_price=price,
                taxes=[TaxLine(jurisdiction="US-NY", amount=tax)],
            )
        ],
        tenders=[tender],
    )


class _Movements:
    """Receipts, and shipments of stock already accepted: a shipment never exceeds what the
    accepted receipts before it put on hand, so every accepted movement is valid in stream order."""

    def __init__(self, plan: LoadPlan) -> None:
        self.plan = plan
        self.free: dict[str, int] = dict.fromkeys(plan.skus, 0)  # accepted receipts - decided shipments

    def record(self, n: int) -> dict[str, Any]:
        plan = self.plan
        sku = plan.skus[n % len(plan.skus)]
        occurred = datetime.combine(plan.business_date, datetime.min.time(), tzinfo=UTC) + timedelta(
            seconds=n
        )
        base = {
            "idempotency_key": f"{plan.run_id}-M-{n}",
            "source_system": "wms",
            "occurred_at": occurred.isoformat().replace("+00:00", "Z"),
            "sku": sku,
            "node": plan.node,
        }
        qty = 1 + n % 2
        if plan.ships and n % 3 == 2 and self.free[sku] >= qty:
            self.free[sku] -= qty
            return base | {"type": "ship", "qty": qty, "order_id": f"{plan.run_id}-O-{n}"}
        return base | {"type": "receipt", "qty": 1 + n % 5}

    def accepted(self, record: dict[str, Any]) -> None:
        if record["type"] == "receipt":
            self.free[record["sku"]] += record["qty"]


def adyen_file(plan: LoadPlan, batch: int, settled: list[Input]) -> bytes:
    created = f"{plan.business_date:%Y-%m-%d} 22:00:00"
    rows = [
        f"Retail,RetailUS,{i.detail['psp']},,visa,{created},UTC,Settled,{i.detail['psp']},{plan.currency},,"
        f"{i.detail['amount_minor'] / 100:.2f},1,{plan.currency},,{i.detail['amount_minor'] / 100:.2f},,,,,"
        f"visa,,{batch},,,,,,,"
        for i in settled
    ]
    return ("\n".join([ADYEN_HEADER, *rows]) + "\n").encode()


async def _until_accepted(item: Input, deadline_s: float, send: Callable[[], Awaitable[bool]]) -> None:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        item.attempts += 1
        try:
            if await send():
                item.accepted = True
                return
        except Exception:  # any failure to be accepted is retried until the deadline
            pass
        await asyncio.sleep(min(0.5, 0.05 * item.attempts))


async def _take(queue: asyncio.Queue[Input], size: int, timeout_s: float) -> list[Input]:
    """Up to ``size`` accepted sales to settle; fewer if sales stop being accepted (an outage)."""
    taken: list[Input] = []
    deadline = time.monotonic() + timeout_s
    while len(taken) < size and (left := deadline - time.monotonic()) > 0:
        try:
            taken.append(await asyncio.wait_for(queue.get(), left))
        except TimeoutError:
            break
    return taken


async def _paced(
    count: int, duration_s: float, limit: asyncio.Semaphore, one: Callable[[int], Awaitable[None]]
) -> None:
    started = time.monotonic()
    tasks: list[asyncio.Task[None]] = []

    async def guarded(n: int) -> None:
        try:
            await one(n)
        finally:
            limit.release()

    for n in range(count):
        await asyncio.sleep(max(0.0, started + n * duration_s / max(count, 1) - time.monotonic()))
        await limit.acquire()
        tasks.append(asyncio.create_task(guarded(n)))
    await asyncio.gather(*tasks)


async def run_load(plan: LoadPlan, target: LoadTarget) -> LoadReport:
    """Send the plan to the target; returns when every input is accepted or past its deadline."""
    report = LoadReport(plan)
    started = time.monotonic()
    client = await nats.connect(list(target.nats_servers), max_reconnect_attempts=-1, reconnect_time_wait=0.2)
    publisher = Publisher(client.jetstream(), Topology(target.namespace), timeout_s=2.0)
    movements = _Movements(plan)
    to_settle: asyncio.Queue[Input] = asyncio.Queue()

    async def one_sale(n: int) -> None:
        tx = sale(plan, n)
        item = Input("sale", tx.document_id, {"psp": tx.tenders[0].processor_reference,
                                              "amount_minor": tx.tenders[0].amount.amount_minor})  # fmt: skip
        report.inputs.append(item)
        envelope = TRANSACTION_SUBMITTED.envelope(
            f"/{SOURCE}", subject=tx.order_id, id=event_id_for(SOURCE, tx.document_id, tx.revision)
        )
        payload = TRANSACTION_SUBMITTED.encode(TransactionSubmitted(transaction=tx))

        async def send() -> bool:
            await publisher.publish(envelope, payload)
            return True

        await _until_accepted(item, plan.input_deadline_s, send)
        if item.accepted:
            to_settle.put_nowait(item)

    async def one_movement(n: int) -> None:
        record = movements.record(n)
        item = Input("movement", record["idempotency_key"], record)
        report.inputs.append(item)
        envelope = MOVEMENT_SUBMITTED.envelope(
            "wms", subject=record["sku"], id=deterministic_id(SOURCE, record["idempotency_key"])
        )
        payload = msgspec.json.encode(record)

        async def send() -> bool:
            await publisher.publish(envelope, payload)
            return True

        await _until_accepted(item, plan.input_deadline_s, send)
        if item.accepted:
            movements.accepted(record)

    async def settlement_files(http: httpx.AsyncClient) -> None:
        files = -(-plan.settlement_lines // plan.lines_per_file) if plan.settlement_lines else 0
        batch_base = int(deterministic_id(plan.run_id).replace("-", "")[:6], 16)
        for number in range(files):
            await asyncio.sleep(plan.duration_s / max(files, 1))
            size = min(plan.lines_per_file, plan.settlement_lines - number * plan.lines_per_file)
            settled = await _take(to_settle, size, plan.input_deadline_s)
            if not settled:
                continue
            lines = [Input("settlement_line", s.detail["psp"], dict(s.detail)) for s in settled]
            report.inputs.extend(lines)
            content = adyen_file(plan, batch_base + number, settled)
            params = {"legal_entity_id": plan.legal_entity_id, "channel_id": plan.channel_id,
                      "filename": f"{plan.run_id}-settlement-{number}.csv"}  # fmt: skip

            async def send(content: bytes = content, params: dict[str, str] = params) -> bool:
                response = await http.post("/v1/recon/files", params=params, content=content)
                return response.status_code in (200, 201) and response.json()["status"] in (
                    "taken",
                    "duplicate",
                )

            probe = Input("settlement_file", params["filename"], {})
            await _until_accepted(probe, plan.input_deadline_s, send)
            for line in lines:
                line.accepted, line.attempts = probe.accepted, probe.attempts

    limit = asyncio.Semaphore(plan.concurrency)
    try:
        jobs = [
            _paced(plan.sales, plan.duration_s, limit, one_sale),
            _paced(plan.movements, plan.duration_s, limit, one_movement),
        ]
        if plan.settlement_lines and target.reconciliation_url:
            headers = {"X-API-Key": target.api_key or ""}
            async with httpx.AsyncClient(
                base_url=target.reconciliation_url, headers=headers, timeout=30
            ) as http:
                await asyncio.gather(*jobs, settlement_files(http))
        else:
            await asyncio.gather(*jobs)
    finally:
        await client.close()
    report.elapsed_s = time.monotonic() - started
    return report


@click.command()
@click.option("--run-id", default=lambda: f"lg{int(time.time())}", help="Prefix of every business key.")
@click.option("--sales", default=300, show_default=True)
@click.option("--movements", default=300, show_default=True)
@click.option("--settlement-lines", default=100, show_default=True)
@click.option(
    "--duration", "duration_s", default=10.0, show_default=True, help="Seconds to spread the load over."
)
@click.option("--nats-url", default="nats://127.0.0.1:4222", show_default=True, multiple=True)
@click.option("--namespace", default="", help="NATS namespace of the services (tests only).")
@click.option("--reconciliation-url", default="http://127.0.0.1:8104", show_default=True)
@click.option(
    "--api-key", envvar="RETAIL_SYNC_API_KEY", help="Key with recon:write (env RETAIL_SYNC_API_KEY)."
)
def loadgen(
    run_id: str,
    sales: int,
    movements: int,
    settlement_lines: int,
    duration_s: float,
    nats_url: tuple[str, ...],
    namespace: str,
    reconciliation_url: str,
    api_key: str | None,
) -> None:
    """Send a bounded, steady load; print the per-kind sent/accepted counts as JSON."""
    plan = LoadPlan(run_id, sales=sales, movements=movements, settlement_lines=settlement_lines,
                    duration_s=duration_s)  # fmt: skip
    target = LoadTarget(nats_url, namespace, reconciliation_url if api_key else None, api_key)
    report = asyncio.run(run_load(plan, target))
    click.echo(json.dumps(report.summary() | {"plan": asdict(plan)}, default=str))
