"""The system under the browser test: who the people are, their keys in every service, the handles."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nats
from retail_platform.api_keys import ApiKeyStore, generate_api_key
from retail_platform.database import create_engine, session_factory
from retail_testing.service_process import RunningService

SERVICES = ("master_data", "promotion", "inventory", "order_ledger", "reconciliation")
READS = ["master:read", "promotion:read", "inventory:read", "sales:read", "ledger:read", "recon:read"]
PEOPLE = {
    "viewer": ("vic", READS),
    "proposer": ("pat", [*READS, "promotion:write", "recon:resolve"]),
    "approver": (
        "quinn",
        [*READS, "promotion:approve", "promotion:ack", "recon:resolve", "recon:approve", "ops:dlq"],
    ),
}
ARTEFACTS = Path(__file__).resolve().parent / "artefacts"


@dataclass
class System:
    services: dict[str, RunningService]
    console_url: str
    admin_key: str
    keys: dict[str, str]
    namespace: str
    nats_url: str
    seeded: dict[str, Any] = field(default_factory=dict)

    def url(self, service: str) -> str:
        return self.services[service].process.base_url


async def install_keys(services: dict[str, RunningService]) -> dict[str, str]:
    """The same key plaintexts in every service's database (each service keeps its own keys)."""
    keys = {name: generate_api_key()[1] for name in PEOPLE}
    for service in services.values():
        engine = create_engine(service.database_url)
        try:
            store = ApiKeyStore(session_factory(engine))
            for name, (owner, scopes) in PEOPLE.items():
                await store.install(keys[name], owner=owner, scopes=scopes)
        finally:
            await engine.dispose()
    return keys


async def delete_streams(nats_url: str, namespace: str) -> None:
    client = await nats.connect(nats_url)
    try:
        js = client.jetstream()
        for stream in await js.streams_info():
            if stream.config.name and stream.config.name.startswith(namespace.upper() + "_"):
                await js.delete_stream(stream.config.name)
    finally:
        await client.close()
