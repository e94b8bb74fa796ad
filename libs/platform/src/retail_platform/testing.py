"""An HTTP client for tests that runs the app, its lifespan hooks included, in the test's event loop.

litestar's `AsyncTestClient` runs the lifespan hooks in a portal thread with its own loop, so an
engine or NATS client created by the test (or by a startup hook) ends up bound to the wrong loop.
Here the lifespan runs in a task of the current loop (as under uvicorn), which also lets the client
live in a pytest fixture whose setup and teardown run in different tasks.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from litestar import Litestar


@asynccontextmanager
async def app_client(app: Litestar, base_url: str = "http://testserver") -> AsyncIterator[httpx.AsyncClient]:
    started = asyncio.Event()
    stop = asyncio.Event()

    async def run_lifespan() -> None:
        async with app.lifespan():
            started.set()
            await stop.wait()

    lifespan = asyncio.create_task(run_lifespan())
    startup = asyncio.create_task(started.wait())
    await asyncio.wait({lifespan, startup}, return_when=asyncio.FIRST_COMPLETED)
    if not started.is_set():
        startup.cancel()
        await lifespan  # re-raises the start-up failure
    try:
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url=base_url) as client:
            yield client
    finally:
        stop.set()
        await lifespan
