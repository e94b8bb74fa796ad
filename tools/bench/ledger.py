"""`retail-sync bench ledger`: sales transactions posted per second, NATS -> committed journal.

Workload (seeded): N transactions (100,000; `--quick` 10,000) with 1-5 lines (3 on average),
1.3 tenders on average (70% one card, 30% card + cash), 8% tax per line, 20% with a promotion
discount, 5% returns of an earlier sale (priced from the original), plus 2% duplicates re-sent
under new message ids (so JetStream's window does not drop them: the ledger must).

Phases, in one run, each on its own fresh database and NATS namespace:
1. raw ceiling: the same messages consumed (pull, batches of 500, acked) and their journal rows
   COPYed into a table with no domain logic (row counts and widths as the real journal);
2. end to end: all messages published first, then the service's own SubmissionConsumer.run (decode,
   de-duplicate, price returns, validate, post, COPY entries/lines/outbox, inbox, batch commit)
   drains them, two batches in flight; posted_per_s = N / drain time (until every message's inbox row
   is committed);
3. latency: N/5 more transactions published at 80% of the measured rate while the consumer runs;
   latency = commit time (recorded_at, clock_timestamp()) - publish time, p50/p99.

The bench's process is set up like the service's (`order_ledger.runtime.configure_process`: collector
frozen after start-up, larger young generation) once the workloads are built, before both phases, so
neither phase pays for walking the bench's own in-memory workload on every full collection.
The outbox relay is not running during the bench (it would publish the events afterwards).
Last line: JSON with posted_per_s, raw_ceiling_per_s, ratio, latency_p50_ms, latency_p99_ms,
duplicates_posted. Targets: ratio >= 0.4, p99 < 1000 ms, 0 duplicates posted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import time
import uuid
from datetime import UTC, date, datetime

import asyncpg
import nats
from canon.envelope import Envelope
from canon.ids import event_id_for, new_id
from canon.money import Money
from canon.sales import Discount, SalesLine, SalesTransaction, TaxLine, Tender
from canon.sales_intake import TRANSACTION_SUBMITTED, TransactionSubmitted
from messaging.dlq import DeadLetters
from messaging.provision import provision
from messaging.topology import Topology
from order_ledger.adapters.nats.submissions import SUBMISSION_SPEC, SubmissionConsumer
from order_ledger.adapters.postgres.unit_of_work import PostgresUnitOfWork
from order_ledger.application.use_cases.record_transactions import RecordTransactions
from order_ledger.bootstrap import MIGRATIONS
from order_ledger.runtime import configure_process
from retail_platform.database import create_engine, ensure_database, run_migrations, session_factory
from retail_platform.dburl import asyncpg_url, libpq_url, with_database

TODAY = date(2026, 11, 27)
RAW_TABLE = """CREATE TABLE raw_journal_lines (entry_id text, line_no int, account text, role text, side text,
    amount_minor bigint, currency text, dimensions jsonb, tender_kind text, processor text,
    processor_reference text, jurisdiction text, memo text, PRIMARY KEY (entry_id, line_no))"""


def build(count: int, seed: int, prefix: str) -> list[tuple[SalesTransaction, int]]:
    """(transaction, number of journal lines it makes)."""
    rng = random.Random(seed)
    sales: list[SalesTransaction] = []
    out: list[tuple[SalesTransaction, int]] = []
    for n in range(count):
        if sales and rng.random() < 0.05:
            original = sales.pop(rng.randrange(len(sales)))
            returned = original.lines[0]
            due = returned.net + returned.tax_total
            line = SalesLine(
                line_id="r1",
                sku=returned.sku,
                quantity=returned.quantity,
                unit_price=returned.unit_price,
                taxes=returned.taxes,
                returned=True,
                original_line_id=returned.line_id,
            )
            tx = SalesTransaction(
                source_system="pos",
                document_id=f"{prefix}R{n}",
                kind="return",
                order_id=original.order_id,
                channel_id="store",
                node_id=f"S{n % 40}",
                legal_entity_id="US01",
                currency="USD",
                business_date=TODAY,
                occurred_at=datetime.now(UTC),
                lines=[line],
                original_document_id=original.document_id,
                tenders=[
                    Tender(
                        tender_id="1",
                        kind="card",
                        amount=due,
                        refund=True,
                        processor="adyen",
                        processor_reference=f"psp-{prefix}R{n}",
                    )
                ],
            )
            out.append((tx, 3))
            continue
        promoted = rng.random() < 0.2
        lines = []
        for index in range(rng.randint(1, 5)):
            price, quantity = rng.randint(100, 10_000), rng.randint(1, 3)
            gross = price * quantity
            discounts = []
            if promoted and index == 0:
                discounts = [
                    Discount(
                        amount=Money(gross // 10, "USD"), promotion_id=f"PROMO-{n % 50}", promotion_version=1
                    )
                ]
            net = gross - sum(d.amount.amount_minor for d in discounts)
            lines.append(
                SalesLine(
                    line_id=str(index + 1),
                    sku=f"SKU{rng.randint(1, 5000)}",
                    quantity=quantity,
                    unit_price=Money(price, "USD"),
                    discounts=discounts,
                    taxes=[TaxLine(jurisdiction="US-NY", amount=Money(net * 8 // 100, "USD"))],
                )
            )
        total = sum(x.net.amount_minor + x.tax_total.amount_minor for x in lines)
        card_part = total if rng.random() < 0.7 else total // 2
        tenders = [
            Tender(
                tender_id="1",
                kind="card",
                amount=Money(card_part, "USD"),
                processor="adyen",
                processor_reference=f"psp-{prefix}{n}",
            )
        ]
        if card_part != total:
            tenders.append(Tender(tender_id="2", kind="cash", amount=Money(total - card_part, "USD")))
        tx = SalesTransaction(
            source_system="pos",
            document_id=f"{prefix}{n}",
            kind="sale",
            order_id=f"{prefix}O{n}",
            channel_id="store",
            node_id=f"S{n % 40}",
            legal_entity_id="US01",
            currency="USD",
            business_date=TODAY,
            occurred_at=datetime.now(UTC),
            lines=lines,
            tenders=tenders,
        )
        if not promoted:
            sales.append(tx)
        out.append((tx, len(lines) + 1 + len(tenders) + (1 if promoted else 0)))
    return out


def message(tx: SalesTransaction, duplicate: bool = False) -> tuple[dict[str, str], bytes]:
    event_id = new_id() if duplicate else event_id_for(tx.source_system, tx.document_id, tx.revision)
    envelope = Envelope.new(
        type=TRANSACTION_SUBMITTED.type, source="/bench/pos", subject=tx.order_id, id=event_id
    )
    return envelope.to_headers(), TRANSACTION_SUBMITTED.encode(TransactionSubmitted(transaction=tx))


async def publish_all(js, subject: str, messages: list[tuple[dict[str, str], bytes]]) -> None:  # type: ignore[no-untyped-def]
    for start in range(0, len(messages), 500):
        chunk = messages[start : start + 500]
        await asyncio.gather(
            *(js.publish(subject, data, headers=headers, timeout=30) for headers, data in chunk)
        )


async def fresh_database(server_url: str) -> str:
    name = f"bench_ledger_{uuid.uuid4().hex[:8]}"
    await ensure_database(server_url, name)
    url = with_database(server_url, name)
    await run_migrations(url, MIGRATIONS)
    return url


async def drop_database(server_url: str, url: str) -> None:
    connection = await asyncpg.connect(libpq_url(server_url))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[-1]}" WITH (FORCE)')
    finally:
        await connection.close()


async def raw_ceiling(js, server_url: str, workload, namespace: str) -> float:  # type: ignore[no-untyped-def]
    topology = Topology(namespace)
    await provision(js, topology)
    subject = topology.subject(TRANSACTION_SUBMITTED.subject)
    messages = [message(tx) for tx, _ in workload]
    await publish_all(js, subject, messages)
    rows_of = {headers["ce-id"]: rows for (headers, _), (_, rows) in zip(messages, workload, strict=True)}
    url = await fresh_database(server_url)
    connection = await asyncpg.connect(libpq_url(url))
    await connection.execute(RAW_TABLE)
    subscription = await js.pull_subscribe(subject, durable="raw", stream=topology.stream("SALES").name)
    done, started = 0, time.perf_counter()
    dims = '{"legal_entity": "US01", "node": "S1", "channel": "store"}'
    while done < len(messages):
        batch = await subscription.fetch(500, timeout=5)
        records = []
        for msg in batch:
            event_id = msg.headers["ce-id"]
            for number in range(rows_of[event_id]):
                records.append(
                    (
                        event_id,
                        number,
                        "4000",
                        "revenue",
                        "credit",
                        1000,
                        "USD",
                        dims,
                        "card",
                        "adyen",
                        "psp",
                        "US-NY",
                        None,
                    )
                )
        async with connection.transaction():
            await connection.copy_records_to_table("raw_journal_lines", records=records)
        await asyncio.gather(*(msg.ack() for msg in batch))
        done += len(batch)
    elapsed = time.perf_counter() - started
    await connection.close()
    await drop_database(server_url, url)
    return len(messages) / elapsed


async def end_to_end(js, server_url: str, workload, latency_workload, namespace: str, pace: float | None):  # type: ignore[no-untyped-def]
    topology = Topology(namespace)
    await provision(js, topology)
    subject = topology.subject(TRANSACTION_SUBMITTED.subject)
    rng = random.Random(7)
    messages = [message(tx) for tx, _ in workload]
    duplicates = [message(tx, duplicate=True) for tx, _ in rng.sample(workload, len(workload) * 2 // 100)]
    mixed = messages + duplicates
    rng.shuffle(duplicates)
    # duplicates are spread through the stream, after their originals' first appearance
    ordered = messages[:]
    for index, duplicate in enumerate(duplicates):
        ordered.insert(
            min(len(ordered), (index + 1) * len(ordered) // (len(duplicates) + 1) + len(messages) // 10),
            duplicate,
        )
    await publish_all(js, subject, ordered)
    url = await fresh_database(server_url)
    engine = create_engine(url, pool_size=4)
    sessions = session_factory(engine)
    record = RecordTransactions(lambda: PostgresUnitOfWork(sessions))
    consumer = SubmissionConsumer(js, sessions, topology, record, DeadLetters(js, topology), SUBMISSION_SPEC)
    await consumer.bind()
    connection = await asyncpg.connect(libpq_url(url))
    stop = asyncio.Event()
    started = time.perf_counter()
    runner = asyncio.create_task(consumer.run(stop, poll_s=0.05))
    for _ in range(1_000_000):  # polls the committed inbox rows (one per distinct message), lightly
        if await connection.fetchval("select count(*) from inbox") >= len(mixed):
            break
        await asyncio.sleep(0.5)
    elapsed = time.perf_counter() - started
    posted = await connection.fetchval("select count(*) from journal_entries")
    rate = len(messages) / elapsed

    # latency at 80% of the measured rate, consumer running concurrently
    published_at: dict[str, float] = {}
    interval = 50 / (0.8 * (pace or rate))
    wall_offset = time.time() - time.perf_counter()
    for start in range(0, len(latency_workload), 50):
        tick = time.perf_counter()
        chunk = latency_workload[start : start + 50]
        for tx, _ in chunk:
            published_at[tx.document_id] = time.perf_counter() + wall_offset
        await asyncio.gather(
            *(js.publish(subject, d, headers=h, timeout=30) for h, d in (message(tx) for tx, _ in chunk))
        )
        await asyncio.sleep(max(0.0, interval - (time.perf_counter() - tick)))
    deadline = time.perf_counter() + 120
    while time.perf_counter() < deadline:
        count = await connection.fetchval(
            "select count(*) from sales_transactions where document_id like 'L%'"
        )
        if count >= len(latency_workload):
            break
        await asyncio.sleep(0.5)
    stop.set()
    await runner
    rows = await connection.fetch(
        "select document_id, extract(epoch from recorded_at) as t from sales_transactions "
        "where document_id like 'L%'"
    )
    latencies = sorted((float(r["t"]) - published_at[r["document_id"]]) * 1000 for r in rows)
    unique = await connection.fetchval(
        "select count(distinct (source_system, document_id, revision)) from sales_transactions"
    )
    total_entries = await connection.fetchval("select count(*) from journal_entries")
    rejected = await connection.fetchval("select count(*) from rejected_transactions")
    await connection.close()
    await engine.dispose()
    await drop_database(server_url, url)
    return rate, posted, latencies, total_entries - unique, rejected, len(duplicates)


def percentile(values: list[float], fraction: float) -> float:
    return values[min(len(values) - 1, int(fraction * len(values)))] if values else float("nan")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="10,000 transactions")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("RETAIL_SYNC_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
    )
    parser.add_argument("--nats-url", default=os.environ.get("RETAIL_SYNC_NATS_URL", "nats://127.0.0.1:4222"))
    args = parser.parse_args()
    count = 10_000 if args.quick else args.count
    server_url = asyncpg_url(args.database_url)
    workload = build(count, seed=1, prefix="B")
    latency_workload = build(max(1000, count // 5), seed=2, prefix="L")
    configure_process()
    print(
        f"workload: {count} transactions, "
        f"{sum(r for _, r in workload) / count:.1f} journal lines each on average"
    )
    client = await nats.connect(args.nats_url)
    js = client.jetstream()
    namespaces = [f"bench{uuid.uuid4().hex[:8]}" for _ in range(2)]
    try:
        raw = await raw_ceiling(js, server_url, workload, namespaces[0])
        print(f"raw ceiling (consume + COPY journal rows, no domain logic): {raw:,.0f} tx/s")
        rate, posted, latencies, duplicates_posted, rejected, dups = await end_to_end(
            js, server_url, workload, latency_workload, namespaces[1], None
        )
        print(
            f"end to end (NATS -> committed journal): {rate:,.0f} tx/s; "
            f"{posted} entries for {count} transactions "
            f"+ {dups} duplicates re-sent; rejected {rejected}"
        )
        p50, p99 = percentile(latencies, 0.5), percentile(latencies, 0.99)
        print(f"latency at 80% of that rate ({len(latencies)} tx): p50 {p50:.0f} ms, p99 {p99:.0f} ms")
        print(
            f"ratio to raw ceiling: {rate / raw:.2f} (target >= 0.40); duplicates posted: {duplicates_posted}"
        )
    finally:
        for namespace in namespaces:
            for stream in await js.streams_info():
                if stream.config.name and stream.config.name.startswith(namespace.upper()):
                    await js.delete_stream(stream.config.name)
        await client.close()
    print(
        json.dumps(
            {
                "transactions": count,
                "posted_per_s": round(rate, 1),
                "raw_ceiling_per_s": round(raw, 1),
                "ratio": round(rate / raw, 3),
                "latency_p50_ms": round(p50, 1),
                "latency_p99_ms": round(p99, 1),
                "duplicates_posted": duplicates_posted,
                "rejected": rejected,
            }
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
