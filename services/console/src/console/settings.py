"""Console settings from `RETAIL_SYNC_*` environment variables.

The kit's rules apply (`RETAIL_SYNC_CONSOLE_HTTP_PORT`, NATS URL and namespace, log level); on top, the
base URL of each service the console reads: `RETAIL_SYNC_CONSOLE_<SERVICE>_URL`, by default the
service's local port on 127.0.0.1.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from urllib.parse import urlsplit

import msgspec
from retail_platform.settings import ServiceSettings, SettingsError, load_settings

SERVICE_NAME = "console"
DEFAULT_HTTP_PORT = 8080
DEFAULT_SERVICE_PORTS: dict[str, int] = {
    "master_data": 8100,
    "promotion": 8101,
    "inventory": 8102,
    "order_ledger": 8103,
    "reconciliation": 8104,
}


class ConsoleSettings(msgspec.Struct, frozen=True, kw_only=True):
    service: ServiceSettings
    service_urls: dict[str, str]
    """Base URL per service name, without a trailing slash."""
    upstream_timeout_s: float = 10.0


def service_url_variable(service: str) -> str:
    return f"RETAIL_SYNC_CONSOLE_{service.upper()}_URL"


def load_console_settings(environ: Mapping[str, str] = os.environ) -> ConsoleSettings:
    """Settings from `environ`; raises SettingsError naming a variable whose URL is not http(s)."""
    urls: dict[str, str] = {}
    for service, port in DEFAULT_SERVICE_PORTS.items():
        variable = service_url_variable(service)
        url = (environ.get(variable) or "").strip() or f"http://127.0.0.1:{port}"
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise SettingsError(variable, f"not an http(s) URL: {url!r}")
        urls[service] = url.rstrip("/")
    timeout = (environ.get("RETAIL_SYNC_CONSOLE_UPSTREAM_TIMEOUT_S") or "").strip()
    try:
        upstream_timeout_s = float(timeout) if timeout else 10.0
    except ValueError:
        raise SettingsError("RETAIL_SYNC_CONSOLE_UPSTREAM_TIMEOUT_S", f"not a number: {timeout!r}") from None
    return ConsoleSettings(
        service=load_settings(SERVICE_NAME, default_http_port=DEFAULT_HTTP_PORT, environ=environ),
        service_urls=urls,
        upstream_timeout_s=upstream_timeout_s,
    )
