"""Business metrics: unreconciled count and amount by legal entity, channel and currency, and open
exceptions by age. Refreshed after every run and workflow step, and on a timer (ages move on)."""

from __future__ import annotations

import asyncio
import contextlib

from prometheus_client import Gauge
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

UNRECONCILED_COUNT = Gauge(
    "recon_unreconciled_count",
    "Open reconciliation exceptions (unreconciled items)",
    ["legal_entity", "channel"],
)
UNRECONCILED_AMOUNT = Gauge(
    "recon_unreconciled_amount_minor",
    "Amount of open reconciliation exceptions, minor units",
    ["legal_entity", "channel", "currency"],
)
EXCEPTIONS_BY_AGE = Gauge(
    "recon_exceptions_open_by_age", "Open exceptions by age bucket", ["legal_entity", "age"]
)
UNSETTLED_SALES = Gauge(
    "recon_unsettled_tender_count", "Sales tenders not yet matched to a settlement line", ["legal_entity"]
)

_BY_CHANNEL = """SELECT legal_entity_id, coalesce(channel_id, 'unassigned') AS channel,
                        coalesce(currency, '') AS currency,
                        count(*) AS n, sum(coalesce(amount_minor, 0)) AS amount
                   FROM recon_exceptions WHERE status <> 'resolved' GROUP BY 1, 2, 3"""
_BY_AGE = """SELECT legal_entity_id, CASE WHEN age <= 1 THEN '0-1d' WHEN age <= 7 THEN '2-7d'
                    WHEN age <= 30 THEN '8-30d' ELSE '31d+' END AS bucket, count(*) AS n
               FROM (SELECT legal_entity_id, extract(day FROM now() - opened_at)::int AS age
                       FROM recon_exceptions WHERE status <> 'resolved') aged GROUP BY 1, 2"""
_UNSETTLED = """SELECT legal_entity_id, count(*) AS n FROM tender_lines t
                 WHERE NOT EXISTS (SELECT 1 FROM settlement_matches m WHERE m.processor = t.processor
                                     AND m.direction = t.direction
                                     AND m.ledger_reference = t.processor_reference)
                 GROUP BY 1"""


class ReconMetrics:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._session_factory = session_factory

    async def refresh(self, *_: object) -> None:
        async with self._session_factory() as session:
            by_channel = (await session.execute(text(_BY_CHANNEL))).all()
            by_age = (await session.execute(text(_BY_AGE))).all()
            unsettled = (await session.execute(text(_UNSETTLED))).all()
        for gauge in (UNRECONCILED_COUNT, UNRECONCILED_AMOUNT, EXCEPTIONS_BY_AGE, UNSETTLED_SALES):
            gauge.clear()
        counts: dict[tuple[str, str], int] = {}
        for row in by_channel:
            counts[(row.legal_entity_id, row.channel)] = (
                counts.get((row.legal_entity_id, row.channel), 0) + row.n
            )
            UNRECONCILED_AMOUNT.labels(row.legal_entity_id, row.channel, row.currency).set(row.amount)
        for (entity, channel), n in counts.items():
            UNRECONCILED_COUNT.labels(entity, channel).set(n)
        for row in by_age:
            EXCEPTIONS_BY_AGE.labels(row.legal_entity_id, row.bucket).set(row.n)
        for row in unsettled:
            UNSETTLED_SALES.labels(row.legal_entity_id).set(row.n)

    async def run(self, stop: asyncio.Event, every_s: float = 30.0) -> None:
        while not stop.is_set():
            with contextlib.suppress(Exception):
                await self.refresh()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), every_s)
