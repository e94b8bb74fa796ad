"""The services `retail-sync up` runs, each as its own process (`python -m <module>`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ServiceEntry:
    name: str
    module: str
    http_port: int
    grpc_port: int | None = None

    @property
    def env_prefix(self) -> str:
        return f"RETAIL_SYNC_{self.name.upper()}"


SERVICES: tuple[ServiceEntry, ...] = (
    ServiceEntry("master_data", "master_data", 8100),
    ServiceEntry("promotion", "promotion", 8101, grpc_port=50051),
    ServiceEntry("inventory", "inventory", 8102, grpc_port=50052),
    ServiceEntry("order_ledger", "order_ledger", 8103),
    ServiceEntry("reconciliation", "reconciliation", 8104),
    ServiceEntry("console", "console", 8080),
)
