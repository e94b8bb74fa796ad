"""Service settings read from `RETAIL_SYNC_*` environment variables.

Rules:
- `RETAIL_SYNC_DATABASE_URL` names a PostgreSQL *server*; the service's own database is
  `retail_<service>` on it, unless `RETAIL_SYNC_<SERVICE>_DATABASE_URL` names one outright.
- Ports are per service only (`RETAIL_SYNC_<SERVICE>_HTTP_PORT`, `..._GRPC_PORT`).
- Every other setting reads `RETAIL_SYNC_<SERVICE>_<NAME>` first, then `RETAIL_SYNC_<NAME>`.
- A value that does not parse raises :class:`SettingsError` naming the variable.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Annotated, Any, Literal

import msgspec

from retail_platform.dburl import asyncpg_url, with_database

Port = Annotated[int, msgspec.Meta(ge=1, le=65535)]
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]

DEFAULT_DATABASE_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
DEFAULT_NATS_URL = "nats://127.0.0.1:4222"
_PREFIX = "RETAIL_SYNC_"
_PER_SERVICE_ONLY = frozenset({"http_port", "grpc_port"})
_NOT_FROM_ENVIRONMENT = frozenset({"service_name", "own_database_url"})


class SettingsError(ValueError):
    """A configuration value did not parse; `variable` names the environment variable at fault."""

    def __init__(self, variable: str, reason: str) -> None:
        super().__init__(f"{variable}: {reason}")
        self.variable = variable
        self.reason = reason


class ServiceSettings(msgspec.Struct, kw_only=True):
    service_name: str
    http_port: Port
    database_url: str = DEFAULT_DATABASE_URL
    own_database_url: str | None = None
    nats_url: str = DEFAULT_NATS_URL
    nats_namespace: str = ""
    nats_stream_replicas: int = 1
    """Replicas of each JetStream stream when provisioned: 1 locally, 3 on a cluster (R3)."""
    http_host: str = "127.0.0.1"
    grpc_port: Port | None = None
    log_level: LogLevel = "INFO"
    log_json: bool = True
    api_keys_required: bool = True
    inbox_dir: str | None = None
    bootstrap_api_key: str | None = None

    @property
    def service_database_url(self) -> str:
        """asyncpg URL of this service's own database."""
        if self.own_database_url:
            return asyncpg_url(self.own_database_url)
        return asyncpg_url(with_database(self.database_url, f"retail_{self.service_name}"))

    @property
    def database_server_url(self) -> str:
        """asyncpg URL of the server's admin database (to create the service database)."""
        return asyncpg_url(self.database_url)

    def __repr__(self) -> str:  # the bootstrap key and URL passwords stay out of logs and tracebacks
        return f"ServiceSettings(service_name={self.service_name!r}, http_port={self.http_port})"


def service_variable(service_name: str, name: str) -> str:
    """`RETAIL_SYNC_<SERVICE>_<NAME>`, e.g. RETAIL_SYNC_MASTER_DATA_HTTP_PORT."""
    return f"{_PREFIX}{service_name.upper()}_{name.upper()}"


def global_variable(name: str) -> str:
    return f"{_PREFIX}{name.upper()}"


def load_settings(
    service_name: str,
    *,
    default_http_port: int,
    default_grpc_port: int | None = None,
    environ: Mapping[str, str] = os.environ,
) -> ServiceSettings:
    """Settings for `service_name` from `environ`; raises SettingsError naming a bad variable."""
    values: dict[str, Any] = {
        "service_name": service_name,
        "http_port": default_http_port,
        "grpc_port": default_grpc_port,
    }
    own_db = environ.get(service_variable(service_name, "database_url"))
    if own_db:
        values["own_database_url"] = own_db
    for field in msgspec.structs.fields(ServiceSettings):
        if field.name in _NOT_FROM_ENVIRONMENT:
            continue
        found = _lookup(service_name, field.name, environ)
        if found is None:
            continue
        variable, raw = found
        values[field.name] = _convert(variable, field.name, raw, field.type)
    return ServiceSettings(**values)


def _lookup(service_name: str, name: str, environ: Mapping[str, str]) -> tuple[str, str] | None:
    candidates = [service_variable(service_name, name)]
    if name == "database_url":
        candidates = []  # the per-service variable names the service's own database, handled apart
    if name not in _PER_SERVICE_ONLY:
        candidates.append(global_variable(name))
    for variable in candidates:
        raw = environ.get(variable)
        if raw is not None and raw.strip() != "":
            return variable, raw.strip()
    return None


def _convert(variable: str, name: str, raw: str, annotation: Any) -> Any:
    if name == "log_level":
        raw = raw.upper()
    try:
        return msgspec.convert(raw, annotation, strict=False)
    except msgspec.ValidationError as error:
        shown = "***" if name == "bootstrap_api_key" else repr(raw)
        raise SettingsError(variable, f"{error} (value {shown})") from None
