"""`retail-sync bench recon`: an Adyen settlement file on disk to stored matches, variances and exceptions.

Workload (seeded): N settlement lines (1,000,000; `--quick` 100,000) in one Adyen settlement details
report, every line with fees, against N tender-clearing entries already in the ledger's read model:
- 1% of the settlement lines have no tender entry (planted `missing_in_ledger` exceptions);
- 1% of the matched lines settle a different amount than the ledger posted (`amount_mismatch`);
- the ledger's other 1% are sales of yesterday, not yet settled: timing differences, not exceptions.

Phases, in one run, on one fresh database (the read model is loaded first, untimed):
1. floor: read the file, parse it with the service's parser and COPY its lines into PostgreSQL,
   no matching at all (then the lines are removed again);
2. end to end: the service's own IngestFile use case (read, parse, COPY, then the set-based run:
   reference and amount/date matching, payouts, all controls, variances, exceptions, outbox).
Last line: JSON with seconds, matched_per_s, floor_seconds, ratio_to_floor, exceptions_found,
exceptions_expected, missed, invented. Targets: ratio <= 3, seconds < 20, nothing missed or invented.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import asyncpg
from reconciliation.adapters.postgres.engine import PostgresReconciler
from reconciliation.adapters.postgres.files import PostgresFiles
from reconciliation.adapters.postgres.unit_of_work import PostgresUnitOfWork
from reconciliation.application.read_file import read_file
from reconciliation.application.use_cases.ingest_file import IngestFile
from reconciliation.bootstrap import MIGRATIONS
from reconciliation.domain.files import FileRecord
from retail_platform.database import create_engine, ensure_database, run_migrations, session_factory
from retail_platform.dburl import asyncpg_url, libpq_url, with_database

SALE_DAY = date(2026, 3, 2)
AS_OF = datetime(2026, 3, 7, 12, tzinfo=UTC)
ENTITY = "LE-BENCH"
HEADER = (
    "Company Account,Merchant Account,Psp Reference,Merchant Reference,Payment Method,Creation Date,TimeZone,"
    "Type,Modification Reference,Gross Currency,Gross Debit (GC),Gross Credit (GC),Exchange Rate,"
    "Net Currency,"
    "Net Debit (NC),Net Credit (NC),Commission (NC),Markup (NC),Scheme Fees (NC),Interchange (NC),"
    "Payment Method Variant,Modification Merchant Reference,Batch Number,Reserved4,Reserved5,Reserved6,"
    "Reserved7,Reserved8,Reserved9,Reserved10\n"
)
TENDER_COLUMNS = [
    "entry_id", "line_index", "source_system", "document_id", "revision", "legal_entity_id", "channel_id",
    "node_id", "order_id", "business_date", "period_id", "processor", "processor_reference", "tender_kind",
    "currency", "amount_minor", "direction",
]  # fmt: skip


def _cents(minor: int) -> str:
    return f"{minor // 100}.{minor % 100:02d}"


def workload(count: int, seed: int) -> tuple[str, list[tuple[object, ...]], set[str], set[str]]:
    """(settlement CSV, tender rows, planted missing references, planted mismatch references)."""
    rng = random.Random(seed)
    picks = rng.sample(range(count), count // 50)
    missing, mismatched = set(picks[: count // 100]), set(picks[count // 100 :])
    csv_rows = [HEADER]
    tenders: list[tuple[object, ...]] = []
    for i in range(count):
        amount = rng.randint(100, 200_000)
        fee = max(1, amount * rng.randint(10, 30) // 1000)
        reference = f"M{i:09d}" if i in missing else f"P{i:09d}"
        settled = amount + rng.randint(1, 99) if i in mismatched else amount
        csv_rows.append(
            f"Shop,ShopEU,{reference},O{i},visa,{SALE_DAY} 12:00:00,UTC,Settled,{reference},EUR,,"
            f"{_cents(settled)},"
            f"1,EUR,,{_cents(settled - fee)},{_cents(fee)},,,,visa,,1,,,,,,,\n"
        )
        # The ledger's own 1%: recent sales not yet settled (the settlement's missing lines are not in it).
        tender_ref, day = (
            (f"T{i:09d}", AS_OF.date() - timedelta(days=1)) if i in missing else (reference, SALE_DAY)
        )
        tenders.append(
            (f"E{i}", 0, "pos", f"D{i}", 1, ENTITY, "WEB", "STORE", f"O{i}", day, "2026-03", "adyen",
             tender_ref, "card", "EUR", amount, 1)
        )  # fmt: skip
    return "".join(csv_rows), tenders, {f"M{i:09d}" for i in missing}, {f"P{i:09d}" for i in mismatched}


async def floor(sessions: object, path: Path) -> float:
    started = time.perf_counter()
    content = await asyncio.to_thread(path.read_bytes)
    parsed = await asyncio.to_thread(read_file, content, path.name)
    record = FileRecord(
        file_id="floor", kind="settlement", source_format="adyen", report_id="floor", filename=path.name,
        legal_entity_id=ENTITY, channel_id=None, business_date=parsed.business_date, period_id="2026-03",
        late=False, cutoff_at=AS_OF, line_count=parsed.line_count, received_at=AS_OF, source="bench",
    )  # fmt: skip
    async with sessions() as session, session.begin():  # type: ignore[operator]
        assert parsed.settlement is not None
        await PostgresFiles(session).add_settlement(record, parsed.settlement)
    return time.perf_counter() - started


async def main(count: int, seed: int) -> dict[str, object]:
    server = os.environ.get("RETAIL_SYNC_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    database_url = asyncpg_url(with_database(server, f"bench_recon_{uuid.uuid4().hex[:8]}"))
    await ensure_database(asyncpg_url(server), database_url.rsplit("/", 1)[1])
    engine = None
    try:
        await run_migrations(database_url, MIGRATIONS)
        csv_text, tenders, missing, mismatched = workload(count, seed)
        connection = await asyncpg.connect(libpq_url(database_url))
        await connection.copy_records_to_table("tender_lines", records=tenders, columns=TENDER_COLUMNS)
        await connection.execute("ANALYZE tender_lines")
        engine = create_engine(database_url)
        sessions = session_factory(engine)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "settlement_details_report_batch_1.csv"
            path.write_text(csv_text)
            del csv_text
            floor_s = await floor(sessions, path)
            await connection.execute("TRUNCATE settlement_lines, recon_files")
            await connection.execute("VACUUM ANALYZE")
            ingest = IngestFile(
                lambda: PostgresUnitOfWork(sessions), PostgresReconciler(sessions), clock=lambda: AS_OF
            )
            started = time.perf_counter()
            content = await asyncio.to_thread(path.read_bytes)
            outcome = await ingest(content, filename=path.name, legal_entity_id=ENTITY)
            seconds = time.perf_counter() - started
        rows = await connection.fetch("SELECT exception_type, reference FROM recon_exceptions")
        timing = await connection.fetchval(
            "SELECT count(*) FROM tender_lines t WHERE NOT EXISTS (SELECT 1 FROM settlement_matches m"
            " WHERE m.ledger_reference = t.processor_reference)"
        )
        await connection.close()
    finally:
        if engine is not None:
            await engine.dispose()
        admin = await asyncpg.connect(libpq_url(server))
        await admin.execute(f'DROP DATABASE IF EXISTS "{database_url.rsplit("/", 1)[1]}" WITH (FORCE)')
        await admin.close()
    run = outcome.run
    assert run is not None, outcome
    found = {(r["exception_type"], r["reference"]) for r in rows}
    planted = {("missing_in_ledger", ref) for ref in missing} | {
        ("amount_mismatch", ref) for ref in mismatched
    }
    matched = run.reference_matches + run.amount_date_matches
    print(f"lines {count:,}: floor (read + parse + COPY) {floor_s:.2f} s; end to end {seconds:.2f} s "
          f"(of which the SQL run {run.seconds:.2f} s); ratio {seconds / floor_s:.2f}")  # fmt: skip
    print(f"matched {matched:,} ({matched / seconds:,.0f}/s); variances {run.variances_posted}; exceptions "
          f"{len(found):,} of {len(planted):,} planted; timing differences left open {timing:,}")  # fmt: skip
    return {
        "lines": count,
        "seconds": round(seconds, 3),
        "matched_per_s": round(matched / seconds),
        "floor_seconds": round(floor_s, 3),
        "ratio_to_floor": round(seconds / floor_s, 3),
        "sql_run_seconds": run.seconds,
        "exceptions_found": len(found),
        "exceptions_expected": len(planted),
        "missed": len(planted - found),
        "invented": len(found - planted),
        "timing_differences": timing,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100,000 lines instead of 1,000,000")
    parser.add_argument("--lines", type=int, default=None)
    parser.add_argument("--seed", type=int, default=7)
    arguments = parser.parse_args()
    lines = arguments.lines or (100_000 if arguments.quick else 1_000_000)
    print(json.dumps(asyncio.run(main(lines, arguments.seed))))
