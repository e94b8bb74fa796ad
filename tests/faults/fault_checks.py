"""The full count check that ends every fault case.

Every accepted input must be reflected exactly once in every context it reaches:
- a sale: the ledger's transaction and its journal entry, reconciliation's sales document, ledger
  document and tender line;
- a movement: inventory's movement log, and for a shipment the ledger's cost-of-goods entry and
  reconciliation's ledger document;
- a settlement line: reconciliation's settlement line.
Every journal entry of the run balances, and every position equals the movement formula
(on hand = receipts - shipments of the movements recorded).
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field

from fault_system import System
from retail_sync_cli.loadgen import Input, LoadPlan, LoadReport

RESULTS: list[CaseResult] = []


def plan_for(run_id: str, **sizes: float) -> LoadPlan:
    sizes = {"sales": 300, "movements": 300, "settlement_lines": 100, "duration_s": 12.0} | sizes
    return LoadPlan(run_id, skus=tuple(f"{run_id}-K{n}" for n in range(6)), **sizes)  # type: ignore[arg-type]


def assert_exactly_once(result: CaseResult) -> None:
    assert result.problems == []
    assert result.accepted > 0
    assert (result.reflected_once, result.lost, result.duplicated) == (result.accepted, 0, 0)


@dataclass
class CaseResult:
    fault: str
    sent: int = 0
    accepted: int = 0
    reflected_once: int = 0
    lost: int = 0
    duplicated: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    def row(self) -> str:
        return (
            f"| {self.fault} | {self.sent} | {self.accepted} | {self.reflected_once} | {self.lost} | "
            f"{self.duplicated} | {self.seconds:.0f} s |"
        )


async def _counts(system: System, service: str, sql: str, prefix: str) -> Counter[str]:
    return Counter({row[0]: row[1] for row in await system.rows(service, sql, prefix + "%")})


async def observe(system: System, run_id: str) -> dict[str, Counter[str]]:
    """Per context, how many times each of the run's business keys is there."""
    prefix = f"{run_id}-"
    by_document = "select {key}, count(*) from {table} where {key} like $1 group by 1"
    return {
        "ledger transactions": await _counts(
            system, "order_ledger", by_document.format(key="document_id", table="sales_transactions"), prefix
        ),
        "ledger entries": await _counts(
            system, "order_ledger", by_document.format(key="document_id", table="journal_entries"), prefix
        ),
        "recon sales documents": await _counts(
            system, "reconciliation", by_document.format(key="document_id", table="sales_documents"), prefix
        ),
        "recon ledger documents": await _counts(
            system, "reconciliation", by_document.format(key="document_id", table="ledger_documents"), prefix
        ),
        "recon tender lines": await _counts(
            system, "reconciliation", by_document.format(key="document_id", table="tender_lines"), prefix
        ),
        "inventory movements": await _counts(
            system, "inventory", by_document.format(key="idempotency_key", table="movements"), prefix
        ),
        "recon settlement lines": await _counts(
            system,
            "reconciliation",
            by_document.format(key="processor_reference", table="settlement_lines"),
            prefix,
        ),
    }


def expected_places(item: Input) -> list[tuple[str, str]]:
    """(context, key) where an input must appear once."""
    if item.kind == "sale":
        contexts = (
            "ledger transactions",
            "ledger entries",
            "recon sales documents",
            "recon ledger documents",
            "recon tender lines",
        )
        return [(context, item.key) for context in contexts]
    if item.kind == "movement":
        places = [("inventory movements", item.key)]
        if item.detail["type"] == "ship":
            places += [("ledger entries", item.key), ("recon ledger documents", item.key)]
        return places
    return [("recon settlement lines", item.key)]


async def unbalanced_entries(system: System, run_id: str) -> list[str]:
    rows = await system.rows(
        "order_ledger",
        """select e.entry_id from journal_entries e join journal_lines l using (entry_id)
        where e.document_id like $1 group by e.entry_id, l.currency
        having sum(case l.side when 'debit' then l.amount_minor else -l.amount_minor end) <> 0""",
        f"{run_id}-%",
    )
    return [row[0] for row in rows]


async def position_mismatches(system: System, report: LoadReport) -> list[str]:
    """Positions that differ from receipts - shipments over the movements inventory recorded."""
    recorded = await system.rows(
        "inventory",
        "select sku, movement_type, idempotency_key from movements where idempotency_key like $1",
        f"{report.plan.run_id}-%",
    )
    qty = {i.key: int(i.detail["qty"]) for i in report.of("movement")}
    expected: Counter[str] = Counter()
    for sku, kind, key in recorded:
        expected[sku] += qty[key] if kind == "receipt" else -qty[key]
    positions = await system.rows(
        "inventory", "select sku, on_hand from positions where sku = any($1::text[])", list(report.plan.skus)
    )
    actual = {sku: on_hand for sku, on_hand in positions}
    return [
        f"{sku}: on hand {actual.get(sku, 0)}, movements say {expected[sku]}"
        for sku in report.plan.skus
        if actual.get(sku, 0) != expected[sku]
    ]


async def count_check(
    system: System,
    fault: str,
    reports: list[LoadReport],
    timeout_s: float = 90.0,
    started: float | None = None,
) -> CaseResult:
    """Wait (bounded) until every accepted input is reflected, then count; the result is recorded for
    the suite's summary table."""
    deadline = time.monotonic() + timeout_s
    while True:
        seen = {r.plan.run_id: await observe(system, r.plan.run_id) for r in reports}
        missing = [
            (context, key)
            for r in reports
            for item in r.inputs
            if item.accepted
            for context, key in expected_places(item)
            if seen[r.plan.run_id][context][key] == 0
        ]
        if not missing or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.5)
    await asyncio.sleep(1.0)  # anything still in flight would show up as a duplicate now
    result = CaseResult(fault)
    for r in reports:
        seen = await observe(system, r.plan.run_id)
        for item in r.inputs:
            result.sent += 1
            places = expected_places(item)
            counts = [seen[context][key] for context, key in places]
            if item.accepted:
                result.accepted += 1
                if all(count == 1 for count in counts):
                    result.reflected_once += 1
                elif any(count == 0 for count in counts):
                    result.lost += 1
                    missing_in = [p[0] for p, c in zip(places, counts, strict=True) if c == 0]
                    result.problems.append(f"lost {item.kind} {item.key}: not in {missing_in}")
            if any(count > 1 for count in counts):
                result.duplicated += 1
                result.problems.append(
                    f"duplicated {item.kind} {item.key}: {dict(zip(places, counts, strict=True))}"
                )
        result.problems += [f"unbalanced entry {e}" for e in await unbalanced_entries(system, r.plan.run_id)]
        result.problems += await position_mismatches(system, r)
    if started is not None:
        result.seconds = time.monotonic() - started
    RESULTS.append(result)
    return result
