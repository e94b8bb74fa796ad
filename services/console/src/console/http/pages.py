"""The single page and its static files (HTML, one vanilla JS file, CSS): no CDN, works offline."""

from __future__ import annotations

from pathlib import Path

from litestar import Response, get
from litestar.static_files import create_static_files_router

STATIC_DIR = Path(__file__).resolve().parents[1] / "static"


@get("/", include_in_schema=False, sync_to_thread=False)
def index() -> Response[bytes]:
    return Response(
        content=(STATIC_DIR / "index.html").read_bytes(),
        media_type="text/html; charset=utf-8",
        headers={"Cache-Control": "no-store"},
    )


static_files = create_static_files_router(path="/static", directories=[STATIC_DIR], include_in_schema=False)
