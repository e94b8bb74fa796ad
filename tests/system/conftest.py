"""The whole system under test: every service as its own process on the real PostgreSQL and NATS, in one
NATS namespace and with one admin key (as under `retail-sync up`)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from contextlib import ExitStack

import pytest
from retail_platform.api_keys import generate_api_key
from retail_platform.embedded import free_port
from retail_testing.service_process import RunningService, delete_streams, running_service

SERVICES = ("master_data", "promotion", "inventory", "order_ledger", "reconciliation")


@pytest.fixture(scope="module")
def whole_system(
    postgres_server_url: str, nats_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[dict[str, RunningService], str]]:
    scratch = tmp_path_factory.mktemp("whole_day")
    namespace = f"t{uuid.uuid4().hex[:10]}"
    admin_key = generate_api_key()[1]
    with ExitStack() as stack:
        stack.callback(lambda: asyncio.run(delete_streams(nats_url, namespace)))
        services: dict[str, RunningService] = {}
        for module in SERVICES:
            extra = {"RETAIL_SYNC_BOOTSTRAP_API_KEY": admin_key}
            if module in ("promotion", "inventory"):
                extra[f"RETAIL_SYNC_{module.upper()}_GRPC_PORT"] = str(free_port())
            services[module] = stack.enter_context(
                running_service(
                    module,
                    server_url=postgres_server_url,
                    nats_url=nats_url,
                    scratch=scratch,
                    extra_env=extra,
                    namespace=namespace,
                )
            )
        yield services, admin_key
