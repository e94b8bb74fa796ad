"""The service's name, default ports and platform settings (shared by every command)."""

from __future__ import annotations

from retail_platform.settings import ServiceSettings, load_settings

SERVICE_NAME = "inventory"
DEFAULT_HTTP_PORT = 8102
DEFAULT_GRPC_PORT = 50052


def settings_from_env() -> ServiceSettings:
    return load_settings(
        SERVICE_NAME, default_http_port=DEFAULT_HTTP_PORT, default_grpc_port=DEFAULT_GRPC_PORT
    )
