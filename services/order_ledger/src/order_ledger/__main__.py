"""`python -m order_ledger [serve|migrate]`."""

from __future__ import annotations

import asyncio
import sys

from retail_platform.app import serve
from retail_platform.logging import configure_logging

from order_ledger.bootstrap import SERVICE_NAME, build_app, migrate, settings_from_env


def main(argv: list[str]) -> None:
    command = argv[1] if len(argv) > 1 else "serve"
    settings = settings_from_env()
    configure_logging(SERVICE_NAME, settings.log_level, json=settings.log_json)
    if command == "migrate":
        asyncio.run(migrate(settings))
    elif command == "serve":
        serve(build_app(settings), settings)
    else:
        sys.exit(f"usage: python -m {SERVICE_NAME} [serve|migrate]")


if __name__ == "__main__":
    main(sys.argv)
