"""The grpc.aio server of the inventory service, run in the service's event loop beside HTTP."""

from __future__ import annotations

from typing import Any

import grpc
from retail_platform.grpc_codegen import load_grpc_modules
from retail_platform.logging import get_logger

from inventory.adapters.grpc.servicer import PROTO

log = get_logger(__name__)


def grpc_modules() -> tuple[Any, Any]:
    return load_grpc_modules(PROTO)


class GrpcServer:
    def __init__(self, servicer_factory: Any, host: str, port: int) -> None:
        self._servicer_factory = servicer_factory
        self._address = f"{host}:{port}"
        self._server: grpc.aio.Server | None = None

    @property
    def serving(self) -> bool:
        return self._server is not None

    async def start(self) -> None:
        pb, services = grpc_modules()
        server = grpc.aio.server(options=[("grpc.so_reuseport", 0)])
        services.add_InventoryServiceServicer_to_server(self._servicer_factory(pb), server)
        server.add_insecure_port(self._address)
        await server.start()
        self._server = server
        log.info("grpc_serving", address=self._address)

    async def stop(self, grace_s: float = 5.0) -> None:
        if self._server is not None:
            await self._server.stop(grace_s)
            self._server = None
