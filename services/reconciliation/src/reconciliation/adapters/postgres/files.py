"""PostgreSQL adapter of the ReconFiles port: file rows, lines by COPY, rejections, periods."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

import asyncpg
import msgspec
from canon.bank import BankStatement
from connectors.settlement.table import SettlementTable
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from reconciliation.adapters.postgres.file_rows import (
    BANK_COLUMNS,
    SETTLEMENT_COLUMNS,
    bank_rows,
    settlement_rows,
)
from reconciliation.application.ports import AlreadyTakenError
from reconciliation.domain.files import FileRecord
from reconciliation.domain.periods import Period, calendar_month

_DUPLICATE = text(
    """SELECT CASE WHEN file_id = :file_id THEN 'same content as file ' || file_id
                ELSE 'report ' || report_id || ' already taken in file ' || file_id END AS reason
         FROM recon_files
        WHERE file_id = :file_id
           OR (legal_entity_id = :entity AND kind = :kind AND source_format = :source_format
               AND string_to_array(report_id, '+') && CAST(:report_ids AS text[]))
        ORDER BY file_id = :file_id DESC LIMIT 1"""
)
_PERIODS = text(
    """SELECT p->>'period_id' AS period_id, (p->>'start')::date AS start, (p->>'end')::date AS "end",
              c.cutoff_at
         FROM master_replica r CROSS JOIN LATERAL jsonb_array_elements(r.content->'periods') p
         LEFT JOIN recon_cutoffs c ON c.legal_entity_id = :entity AND c.period_id = p->>'period_id'
        WHERE r.record_type = 'fiscal_calendar' AND r.content->>'legal_entity_id' = :entity
        ORDER BY start"""
)
_CUTOFFS_ONLY = text("SELECT period_id, cutoff_at FROM recon_cutoffs WHERE legal_entity_id = :entity")
_INSERT_FILE = text(
    """INSERT INTO recon_files (file_id, kind, source_format, report_id, filename, legal_entity_id,
                                channel_id,
                                business_date, period_id, late, cutoff_at, line_count, received_at, source,
                                raw_header)
       VALUES (:file_id, :kind, :source_format, :report_id, :filename, :legal_entity_id, :channel_id,
               :business_date, :period_id, :late, :cutoff_at, :line_count, :received_at, :source,
               :raw_header)
       ON CONFLICT DO NOTHING RETURNING file_id"""
)


async def driver_connection(session: AsyncSession) -> asyncpg.Connection:
    """The asyncpg connection under the session's transaction (for COPY)."""
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    return raw.driver_connection


async def copy_rows(
    session: AsyncSession, table: str, columns: list[str], rows: Iterable[tuple[Any, ...]]
) -> None:
    driver = await driver_connection(session)
    await driver.copy_records_to_table(table, records=rows, columns=columns)


class PostgresFiles:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def duplicate_of(
        self, file_id: str, legal_entity_id: str, kind: str, source_format: str, report_ids: list[str]
    ) -> str | None:
        params = {
            "file_id": file_id,
            "entity": legal_entity_id,
            "kind": kind,
            "source_format": source_format,
            "report_ids": report_ids,
        }
        return (await self._session.execute(_DUPLICATE, params)).scalar()

    async def periods(self, legal_entity_id: str) -> list[Period]:
        rows = (await self._session.execute(_PERIODS, {"entity": legal_entity_id})).all()
        if rows:
            return [Period(r.period_id, r.start, r.end, r.cutoff_at) for r in rows]
        # Without a fiscal calendar the periods are calendar months; a configured cut-off still applies.
        cutoffs = (await self._session.execute(_CUTOFFS_ONLY, {"entity": legal_entity_id})).all()
        return [_month(r.period_id, r.cutoff_at) for r in cutoffs if _is_month(r.period_id)]

    async def _insert_file(self, record: FileRecord, raw_header: list[str] | None = None) -> None:
        values = dataclasses.asdict(record) | {"raw_header": raw_header}
        inserted = (await self._session.execute(_INSERT_FILE, values)).scalar()
        if inserted is None:
            raise AlreadyTakenError(record.file_id)

    async def add_settlement(self, record: FileRecord, table: SettlementTable) -> None:
        await self._insert_file(record, table.raw_header)
        await copy_rows(self._session, "settlement_lines", SETTLEMENT_COLUMNS, settlement_rows(record, table))
        await self._session.execute(text("ANALYZE settlement_lines"))  # the run's plans need fresh stats

    async def add_bank(self, record: FileRecord, statements: list[BankStatement]) -> None:
        await self._insert_file(record)
        await copy_rows(self._session, "bank_lines", BANK_COLUMNS, bank_rows(record, statements))
        await self._session.execute(text("ANALYZE bank_lines"))

    async def add_rejection(
        self, file_id: str, filename: str | None, at: datetime, problems: list[dict[str, object]]
    ) -> None:
        statement = text(
            "INSERT INTO recon_file_rejections (file_id, filename, received_at, problems) "
            "VALUES (:file_id, :filename, :at, CAST(:problems AS jsonb))"
        )
        params = {
            "file_id": file_id,
            "filename": filename,
            "at": at,
            "problems": msgspec.json.encode(problems).decode(),
        }
        await self._session.execute(statement, params)


def _is_month(period_id: str) -> bool:
    return len(period_id) == 7 and period_id[4] == "-" and period_id.replace("-", "").isdigit()


def _month(period_id: str, cutoff_at: datetime) -> Period:
    month = calendar_month(date(int(period_id[:4]), int(period_id[5:]), 1))
    return Period(month.period_id, month.start, month.end, cutoff_at)
