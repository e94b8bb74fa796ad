"""The engine's ping on checkout: one round trip, and a pooled connection whose backend is gone is
replaced before a session sees it."""

from __future__ import annotations

import asyncpg
import pytest
from retail_platform.database import create_engine
from retail_platform.dburl import libpq_url
from sqlalchemy import text

pytestmark = pytest.mark.integration


async def test_a_pooled_connection_whose_backend_was_killed_is_replaced(database_url: str) -> None:
    engine = create_engine(database_url, pool_size=1, max_overflow=0)
    try:
        async with engine.connect() as connection:
            first = (await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        admin = await asyncpg.connect(libpq_url(database_url))
        try:
            assert await admin.fetchval("SELECT pg_terminate_backend($1)", first)
        finally:
            await admin.close()
        async with engine.connect() as connection:  # no error: the dead one was discarded
            second = (await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        assert second != first
    finally:
        await engine.dispose()


async def test_checking_out_a_pooled_connection_costs_one_statement(database_url: str) -> None:
    engine = create_engine(database_url, pool_size=1, max_overflow=0)
    sent: list[str] = []
    try:
        async with engine.connect() as connection:
            raw = await connection.get_raw_connection()
            raw.driver_connection.add_query_logger(lambda record: sent.append(record.query))
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 42"))
        # The logger sees what goes by the simple query protocol (SELECT 42 is a prepared statement):
        # the ping, then the session's own BEGIN and ROLLBACK. SQLAlchemy's pre-ping would add a
        # BEGIN and a ROLLBACK of its own around its ping.
        assert sent == ["SELECT 1", "BEGIN;", "ROLLBACK;"]
    finally:
        await engine.dispose()
