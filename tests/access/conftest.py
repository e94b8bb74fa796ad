"""Every service as its own process on the shared test servers, plus the console, with people's keys
installed in every service database: integrators bound to one channel or legal entity, authors and
approvers. The system harness is the fault suite's (tests/faults/fault_system.py)."""

from __future__ import annotations

import asyncio
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from retail_platform.api_keys import ApiKeyStore, generate_api_key
from retail_platform.database import create_engine, session_factory
from retail_platform.dburl import with_database
from retail_platform.embedded import free_port
from retail_platform.principal import ApiKeyBindings
from retail_testing.service_process import ServiceProcess

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "faults"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from access_seed import AccessSystem
from fault_system import System

READS = ("master:read", "promotion:read", "inventory:read", "sales:read", "ledger:read", "recon:read")
INTEGRATOR = (*READS, "sales:write", "inventory:reserve", "promotion:ack", "recon:write")
PEOPLE: dict[str, tuple[tuple[str, ...], ApiKeyBindings]] = {
    # a web shop integrator: channel WEB of legal entity LE-US only
    "web": (INTEGRATOR, ApiKeyBindings(channels=("WEB",), legal_entities=("LE-US",))),
    # a German finance clerk: legal entity LE-DE only
    "de": (INTEGRATOR, ApiKeyBindings(legal_entities=("LE-DE",))),
    "alice": (
        (*READS, "promotion:write", "promotion:approve", "recon:resolve", "recon:approve"),
        ApiKeyBindings(),
    ),
    "bob": (
        (*READS, "promotion:write", "promotion:approve", "recon:resolve", "recon:approve"),
        ApiKeyBindings(),
    ),
}


async def install_keys(system: System) -> dict[str, str]:
    keys = {name: generate_api_key()[1] for name in PEOPLE}
    for service in system.services:
        engine = create_engine(with_database(system.database_url, system.database_name(service)))
        try:
            store = ApiKeyStore(session_factory(engine))
            for name, (scopes, bindings) in PEOPLE.items():
                await store.install(keys[name], owner=name, scopes=scopes, bindings=bindings)
        finally:
            await engine.dispose()
    return keys


@pytest.fixture(scope="module")
def access(
    postgres_server_url: str, nats_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AccessSystem]:
    suffix = uuid.uuid4().hex[:8]
    scratch = tmp_path_factory.mktemp("access")
    system = System(
        scratch, postgres_server_url, (nats_url,), database_suffix=f"_a{suffix}", namespace=f"a{suffix}"
    )
    console: ServiceProcess | None = None
    try:
        system.start()
        keys = asyncio.run(install_keys(system))
        console_env = {
            "RETAIL_SYNC_NATS_URL": nats_url,
            "RETAIL_SYNC_NATS_NAMESPACE": system.namespace,
            **{f"RETAIL_SYNC_CONSOLE_{name.upper()}_URL": system.url(name) for name in system.services},
        }
        console = ServiceProcess("console", console_env, scratch / "console.log", http_port=free_port())
        console.start(ready_timeout_s=180)
        yield AccessSystem(system, console.base_url, keys)
    finally:
        if console is not None:
            console.stop()
        system.stop()
        asyncio.run(system.drop())
