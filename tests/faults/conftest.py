"""The fault suite's servers and system (shared by the suite: starting five services takes ~40 s on two
cores), and the summary table printed at the end. Puts this folder on sys.path for the helpers."""

from __future__ import annotations

import os
import shutil
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fault_checks import RESULTS
from fault_servers import Servers, private_folder
from fault_system import System


@pytest.fixture(scope="session")
def servers() -> Iterator[Servers]:
    folder = private_folder("retail-sync-faults-")
    servers = Servers(folder)
    servers.postgres.start()
    servers.nats.start()
    try:
        yield servers
    finally:
        servers.nats.stop()
        servers.postgres.stop()
        if os.environ.get("RETAIL_SYNC_FAULTS_KEEP") != "1":  # 1: keep the logs and data to look at
            shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def system(servers: Servers) -> Iterator[System]:
    system = System(servers.folder / "services", servers.postgres.url, servers.nats.urls)
    (servers.folder / "services").mkdir()
    system.start()
    try:
        yield system
    finally:
        system.stop()


@pytest.fixture
def run_id() -> str:
    return f"f{uuid.uuid4().hex[:8]}"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not RESULTS:
        return
    terminalreporter.section("fault cases: full count check")
    terminalreporter.write_line(
        "| fault | inputs sent | inputs accepted | reflected once | lost | duplicated | took |"
    )
    terminalreporter.write_line("|---|---|---|---|---|---|---|")
    for result in RESULTS:
        terminalreporter.write_line(result.row())
        for problem in result.problems[:5]:
            terminalreporter.write_line(f"    {problem}")
