"""`python -m inventory [serve|migrate|relay]`: HTTP on the configured port (default 8102) and gRPC
on the gRPC port (default 50052) in one process; `relay` publishes the outbox (`serve` starts it
as a child process unless RETAIL_SYNC_INVENTORY_OUTBOX_RELAY says otherwise). Each command imports
only what it runs: the relay process starts without the web and gRPC stacks."""

from __future__ import annotations

import asyncio
import sys

from retail_platform.logging import configure_logging

from inventory.settings import SERVICE_NAME, settings_from_env


def main(argv: list[str]) -> None:
    command = argv[1] if len(argv) > 1 else "serve"
    if command not in ("serve", "migrate", "relay"):
        sys.exit(f"usage: python -m {SERVICE_NAME} [serve|migrate|relay]")
    settings = settings_from_env()
    configure_logging(SERVICE_NAME, settings.log_level, json=settings.log_json)
    if command == "relay":
        from inventory.relay import run_outbox_relay

        asyncio.run(run_outbox_relay(settings))
        return
    from retail_platform.app import serve

    from inventory.bootstrap import build_app, migrate

    if command == "migrate":
        asyncio.run(migrate(settings))
    else:
        serve(build_app(settings), settings)


if __name__ == "__main__":
    main(sys.argv)
