"""The body of every service's `migrations/env.py`:

    from retail_platform.alembic_env import run_env
    from my_service.adapters.postgres.tables import METADATA
    run_env(METADATA)

Online runs use the connection handed over by `database.run_migrations`, or else open an async
engine on `sqlalchemy.url` (the `alembic` command line); offline runs render SQL.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from alembic import context
from sqlalchemy import Connection, MetaData

from retail_platform.database import create_engine


def run_env(target_metadata: MetaData | Sequence[MetaData] | None) -> None:
    config = context.config
    if context.is_offline_mode():
        context.configure(
            url=config.get_main_option("sqlalchemy.url"),
            target_metadata=target_metadata,
            literal_binds=True,
            dialect_opts={"paramstyle": "named"},
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    connection = config.attributes.get("connection")
    if connection is not None:
        _migrate(connection, target_metadata)
        return
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("alembic: no connection handed over and no sqlalchemy.url configured")
    asyncio.run(_migrate_with_new_engine(url, target_metadata))


def _migrate(connection: Connection, target_metadata: MetaData | Sequence[MetaData] | None) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


async def _migrate_with_new_engine(url: str, target_metadata: MetaData | Sequence[MetaData] | None) -> None:
    engine = create_engine(url, pool_size=1, max_overflow=0)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_migrate, target_metadata)
    finally:
        await engine.dispose()
