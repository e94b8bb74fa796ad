"""Database URL helpers: one server, one database per service.

`RETAIL_SYNC_DATABASE_URL` names a PostgreSQL *server* (any database on it); each service derives
its own database on that server (`retail_<service>`) unless given a URL of its own.
"""

from __future__ import annotations

from sqlalchemy.engine import make_url


def asyncpg_url(url: str) -> str:
    """The same URL with the asyncpg driver, whatever driver (or none) it named."""
    parsed = make_url(url)
    return parsed.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)


def libpq_url(url: str) -> str:
    """The same URL as a plain `postgresql://` URL, for asyncpg.connect and psql."""
    parsed = make_url(url)
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


def with_database(url: str, database: str) -> str:
    """The URL of another database on the same server, keeping the driver."""
    return make_url(url).set(database=database).render_as_string(hide_password=False)


def database_name(url: str) -> str:
    name = make_url(url).database
    if not name:
        raise ValueError(f"database URL names no database: {redact(url)}")
    return name


def redact(url: str) -> str:
    """A URL safe to log: the password, if any, replaced."""
    return make_url(url).render_as_string(hide_password=True)
