"""`python -m <service> migrate`: what every service does before it serves (and a k8s init container runs)."""

from __future__ import annotations

from pathlib import Path

from messaging.provision import provision

from retail_platform.container import ServiceContainer, resolve
from retail_platform.database import ensure_database, run_migrations
from retail_platform.dburl import database_name
from retail_platform.settings import ServiceSettings
from retail_platform.streams import topology_for


async def migrate_service(settings: ServiceSettings, migrations: Path) -> None:
    """Create the service's database if missing, bring its schema to head, provision the streams."""
    await ensure_database(settings.database_server_url, database_name(settings.service_database_url))
    await run_migrations(settings.service_database_url, migrations)
    container = ServiceContainer(settings=settings)
    await resolve(container.init_resources)
    try:
        await provision(await resolve(container.jetstream), topology_for(settings))
    finally:
        await resolve(container.shutdown_resources)
