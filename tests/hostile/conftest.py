"""Every service as its own process on the shared test servers (own databases, own NATS namespace), for the
hostile-input tests over HTTP, started once for the session. The system harness is the fault suite's
(tests/faults/fault_system.py)."""

from __future__ import annotations

import asyncio
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "faults"))

from fault_system import System


@pytest.fixture(scope="session")
def hostile_system(
    postgres_server_url: str, nats_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[System]:
    suffix = uuid.uuid4().hex[:8]
    system = System(
        tmp_path_factory.mktemp("hostile"),
        postgres_server_url,
        (nats_url,),
        database_suffix=f"_h{suffix}",
        namespace=f"h{suffix}",
    )
    try:
        system.start()
        yield system
    finally:
        system.stop()
        asyncio.run(system.drop())
