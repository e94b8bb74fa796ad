"""The asyncpg connection under a SQLAlchemy session, for the bulk statements of the hot paths
(COPY, array parameters): one prepared statement whatever the batch size, no per-row compilation.

SQLAlchemy's asyncpg adapter sends BEGIN lazily, with its first statement; a statement sent straight
to the driver before that would run outside the transaction (and its row locks would be released at
once). So the transaction is started first: through the adapter's own hook when it has one, else by
a statement through SQLAlchemy. The hot-sku concurrency tests guard this.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

_CACHED = "inventory_driver_connection"


async def driver_connection(session: AsyncSession) -> Any:
    """The session's asyncpg connection, inside the session's transaction (looked up once per
    transaction: each lookup through the session costs a greenlet round)."""
    transaction = session.sync_session.get_transaction()
    cached = session.info.get(_CACHED)
    if transaction is not None and cached is not None and cached[0] is transaction:
        return cached[1]
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    adapted = raw.dbapi_connection
    if getattr(adapted, "_transaction", "missing") is None:
        start = getattr(adapted, "_start_transaction", None)
        if start is not None:
            await start()
        else:  # pragma: no cover - another SQLAlchemy version
            await connection.execute(text("SELECT 1"))
    session.info[_CACHED] = (session.sync_session.get_transaction(), raw.driver_connection)
    return raw.driver_connection
