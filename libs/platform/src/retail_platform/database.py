"""Async SQLAlchemy engine, sessions, the service database, and programmatic Alembic migrations.

Migrations run on an async engine by handing Alembic a sync connection through
`connection.run_sync` (`config.attributes["connection"]`), which `alembic_env.run_env` picks up; so
they can run inside a service's event loop at start-up as well as from a test.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import asyncpg
from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, event, text
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.util import await_

from retail_platform.dburl import asyncpg_url, libpq_url

_DATABASE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An asyncpg engine; a stale pooled connection is detected before use and replaced (a ping of
    one round trip, see :func:`_ping_on_checkout`)."""
    options: dict[str, Any] = {
        "pool_size": 5,
        "max_overflow": 10,
        "pool_timeout": 10,
        "pool_recycle": 1800,
    }
    options.update(kwargs)
    engine = create_async_engine(asyncpg_url(url), **options)
    if not options.get("pool_pre_ping"):
        event.listen(engine.sync_engine, "checkout", _ping_on_checkout)
    return engine


def _ping_on_checkout(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """SQLAlchemy's own pre-ping on asyncpg costs three round trips per checkout (BEGIN, ``;``,
    ROLLBACK: a transaction for pgbouncer's transaction mode); ``SELECT 1`` by the simple query
    protocol (no prepared statement, so pgbouncer in transaction mode takes it too) costs one. A dead
    connection raises DisconnectionError, on which the pool discards it and checks out another."""
    try:
        await_(dbapi_connection.driver_connection.execute("SELECT 1"))
    except Exception as error:
        raise DisconnectionError(f"pooled connection is gone: {error!r}") from error


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


async def ensure_database(server_url: str, name: str) -> bool:
    """Create database `name` on the server if missing; True when it was created now."""
    if not _DATABASE_NAME.match(name):
        raise ValueError(f"database name {name!r} must be lower-case letters, digits and underscores")
    connection = await asyncpg.connect(libpq_url(server_url))
    try:
        if await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            return False
        try:
            await connection.execute(f'CREATE DATABASE "{name}"')
        except asyncpg.DuplicateDatabaseError:
            return False  # another process created it meanwhile
        return True
    finally:
        await connection.close()


def alembic_config(database_url: str, script_location: Path) -> Config:
    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.set_main_option("sqlalchemy.url", asyncpg_url(database_url).replace("%", "%%"))
    return config


async def run_migrations(database_url: str, script_location: Path, revision: str = "head") -> None:
    """Upgrade the database to `revision` (head by default)."""
    await _run_alembic(database_url, script_location, command.upgrade, revision)


async def downgrade_migrations(database_url: str, script_location: Path, revision: str = "base") -> None:
    """Downgrade the database to `revision` (base by default): for stairway tests."""
    await _run_alembic(database_url, script_location, command.downgrade, revision)


MIGRATION_LOCK_KEY = 0x5245_5441_494C  # "RETAIL": one advisory lock per database for migrations


async def _run_alembic(database_url: str, script_location: Path, action: Any, revision: str) -> None:
    config = alembic_config(database_url, script_location)
    engine = create_engine(database_url, pool_size=1, max_overflow=0)

    def run(connection: Connection) -> None:
        config.attributes["connection"] = connection
        action(config, revision)

    try:
        async with engine.begin() as connection:
            # Pods starting together (each with a migrate init container) take turns: the first
            # migrates, the others then find the schema at head. The lock ends with the transaction.
            await connection.execute(text("select pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
            await connection.run_sync(run)
    finally:
        await engine.dispose()
