"""The set-based reconciliation run of one legal entity: every control, one transaction.

Runs of one legal entity are serialised by an advisory lock. Everything a run stores is keyed by
business keys (matches by reference, variances and exceptions by hashed keys), so running again
with nothing new stores nothing and publishes nothing: re-running is idempotent.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import msgspec
from canon.ids import new_id
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reconciliation.adapters.postgres import sql_controls, sql_payouts, sql_results, sql_settlement
from reconciliation.adapters.postgres.events import add_many, auto_resolved_rows, raised_rows, variance_rows
from reconciliation.domain.files import RunSummary
from reconciliation.domain.rules import MARKETPLACE_RULES, Tolerances, variance_rule_table

MAX_AMOUNT_DATE_ROUNDS = 3
# A run joins and groups whole tables: with the default 4 MB of work memory PostgreSQL sorts them on
# disk (and the run grows faster than its input); with enough it hashes them in one pass each. JIT
# compiling these one-off statements costs more than it saves.
RUN_SETTINGS = ["SET LOCAL work_mem = '256MB'", "SET LOCAL jit = off"]


def run_parameters(
    entity: str, run_id: str, now: datetime, as_of: datetime, tolerances: Tolerances
) -> dict[str, Any]:
    rules = variance_rule_table()
    marketplaces = list(MARKETPLACE_RULES.values())
    return {
        "entity": entity,
        "run": run_id,
        "now": now,
        "as_of": as_of,
        "as_of_date": as_of.astimezone(UTC).date(),
        **{name: int(value) for name, value in vars(tolerances).items()},
        "amount_tolerance": tolerances.amount_minor,
        "mismatch_tolerance": tolerances.mismatch_minor,
        # "processor|record_type" per rule: the variances look a line's rule up by position (an
        # expression the planner estimates as every line, so it hashes the lines against the matches
        # instead of probing the match index once per line, which a tiny rules join made it do).
        "rule_keys": [f"{r[0]}|{r[1]}" for r in rules],
        "rule_kinds": [r[2] for r in rules],
        "rule_bases": [r[3] for r in rules],
        "marketplaces": [m.marketplace for m in marketplaces],
        "max_rates": [m.max_commission_rate for m in marketplaces],
        "tolerances": [m.tolerance_minor for m in marketplaces],
    }


async def _execute(session: AsyncSession, sql: str, params: dict[str, Any]) -> Any:
    return await session.execute(text(sql), params)


class PostgresReconciler:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        tolerances: Tolerances | None = None,
        clock: Callable[[], datetime] | None = None,
        after_run: Callable[[str], Any] | None = None,
    ) -> None:
        self._session_factory = session_factory
        self._tolerances = tolerances or Tolerances()
        self._clock = clock or (lambda: datetime.now(UTC))
        self._after_run = after_run

    async def run(self, legal_entity_id: str, as_of: datetime) -> RunSummary:
        started = time.perf_counter()
        now = self._clock()
        run_id = new_id()
        params = run_parameters(legal_entity_id, run_id, now, as_of, self._tolerances)
        async with self._session_factory() as session, session.begin():
            await _execute(session, "SELECT pg_advisory_xact_lock(hashtext(:entity))", params)
            for setting in RUN_SETTINGS:
                await _execute(session, setting, params)
            for sql in [*sql_settlement.OPEN_SIDES, *sql_results.FOUND_TABLE]:
                await _execute(session, sql, params)
            kept = (await _execute(session, sql_settlement.MATCH_STATE, params)).scalar_one()
            for sql in sql_settlement.REFERENCE_MATCH_PLAN:
                await _execute(session, sql, params)
            match = sql_settlement.REFERENCE_MATCH_OPEN_ITEMS if kept else sql_settlement.REFERENCE_MATCH
            reference = (await _execute(session, match, params)).scalar_one()
            for sql in [*sql_settlement.AFTER_REFERENCE_MATCH, *sql_settlement.ANALYZE_OPEN]:
                await _execute(session, sql, params)
            amount_date = 0
            for _ in range(MAX_AMOUNT_DATE_ROUNDS):
                matched = len((await _execute(session, sql_settlement.AMOUNT_DATE_ROUND, params)).all())
                amount_date += matched
                if not matched:
                    break
            for sql in sql_settlement.KEEP_OPEN:
                await _execute(session, sql, params)
            for sql in sql_settlement.EXCEPTIONS:
                await _execute(session, sql, params)
            links = 0
            for sql in sql_payouts.OPEN:
                await _execute(session, sql, params)
            for sql in [*sql_payouts.BY_REFERENCE, sql_payouts.BY_AMOUNT]:
                links += (await _execute(session, sql, params)).rowcount
            for sql in [
                sql_payouts.EXCEPTIONS,
                sql_payouts.BATCH_NET,
                sql_controls.COMPLETENESS,
                *sql_controls.RETURNS,
                sql_controls.MARKETPLACE,
            ]:
                await _execute(session, sql, params)
            variances = (await _execute(session, sql_results.VARIANCES, params)).all()
            raised = (await _execute(session, sql_results.RAISE_NEW, params)).all()
            cleared = (await _execute(session, sql_results.AUTO_RESOLVE, params)).all()
            await add_many(
                session,
                variance_rows(variances, now) + raised_rows(raised, now) + auto_resolved_rows(cleared, now),
            )
            open_count = (await _execute(session, sql_results.OPEN_COUNT, params)).scalar_one()
            summary = RunSummary(
                run_id=run_id,
                legal_entity_id=legal_entity_id,
                as_of=as_of,
                reference_matches=reference,
                amount_date_matches=amount_date,
                payout_links=links,
                variances_posted=len(variances),
                exceptions_raised=len(raised),
                exceptions_auto_resolved=len(cleared),
                open_exceptions=open_count,
                seconds=round(time.perf_counter() - started, 3),
            )
            await _execute(
                session,
                "INSERT INTO recon_runs (run_id, legal_entity_id, as_of, started_at, finished_at, summary) "
                "VALUES (:run, :entity, :as_of, :now, clock_timestamp(), CAST(:summary AS jsonb))",
                params | {"summary": msgspec.json.encode(summary).decode()},
            )
        if self._after_run is not None:
            await self._after_run(legal_entity_id)
        return summary
