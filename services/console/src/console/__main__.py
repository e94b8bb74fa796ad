"""`python -m console [serve]`: the operations console (default http://127.0.0.1:8080)."""

from __future__ import annotations

import sys

from retail_platform.app import serve
from retail_platform.logging import configure_logging

from console.bootstrap import build_app
from console.settings import SERVICE_NAME, load_console_settings


def main(argv: list[str]) -> None:
    command = argv[1] if len(argv) > 1 else "serve"
    settings = load_console_settings()
    configure_logging(SERVICE_NAME, settings.service.log_level, json=settings.service.log_json)
    if command == "serve":
        serve(build_app(settings), settings.service)
    elif command == "migrate":  # nothing to migrate: the console has no database (kept for `up`)
        return
    else:
        sys.exit(f"usage: python -m {SERVICE_NAME} [serve]")


if __name__ == "__main__":
    main(sys.argv)
