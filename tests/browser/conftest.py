"""The whole system for the browser test: every service as its own process (one NATS namespace and one
admin key, as under `retail-sync up`) and the console as its own process, with people's API keys
installed in every service's database. Puts this folder on sys.path for `browser_system`/`browser_seed`."""

from __future__ import annotations

import asyncio
import sys
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from retail_platform.api_keys import generate_api_key
from retail_platform.embedded import free_port
from retail_testing.service_process import RunningService, ServiceProcess, running_service

sys.path.insert(0, str(Path(__file__).resolve().parent))

from browser_system import SERVICES, System, delete_streams, install_keys


@pytest.fixture(scope="module")
def system(
    postgres_server_url: str, nats_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[System]:
    scratch = tmp_path_factory.mktemp("browser")
    namespace = f"t{uuid.uuid4().hex[:10]}"
    _, admin_key = generate_api_key()
    shared = {"RETAIL_SYNC_NATS_NAMESPACE": namespace, "RETAIL_SYNC_BOOTSTRAP_API_KEY": admin_key}
    with ExitStack() as stack:
        stack.callback(lambda: asyncio.run(delete_streams(nats_url, namespace)))
        services: dict[str, RunningService] = {}
        for module in SERVICES:
            extra = dict(shared)
            if module in ("promotion", "inventory"):
                extra[f"RETAIL_SYNC_{module.upper()}_GRPC_PORT"] = str(free_port())
            services[module] = stack.enter_context(
                running_service(
                    module,
                    server_url=postgres_server_url,
                    nats_url=nats_url,
                    scratch=scratch,
                    extra_env=extra,
                )
            )
        keys = asyncio.run(install_keys(services))
        console_env = {
            "RETAIL_SYNC_NATS_URL": nats_url,
            "RETAIL_SYNC_NATS_NAMESPACE": namespace,
            **{f"RETAIL_SYNC_CONSOLE_{name.upper()}_URL": s.process.base_url for name, s in services.items()},
        }
        console = ServiceProcess("console", console_env, scratch / "console.log", http_port=free_port())
        console.start()
        stack.callback(console.stop)
        yield System(services, console.base_url, admin_key, keys, namespace, nats_url)
