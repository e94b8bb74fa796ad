"""Run a service as its own process (`python -m <module> migrate`, then `serve`) for system tests."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from retail_platform.api_keys import generate_api_key
from retail_platform.embedded import free_port


@dataclass
class ServiceProcess:
    module: str
    env: dict[str, str]
    log_path: Path
    http_port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def _env(self) -> dict[str, str]:
        env = dict(os.environ) | self.env
        env[f"RETAIL_SYNC_{self.module.upper()}_HTTP_PORT"] = str(self.http_port)
        return env

    def migrate(self) -> None:
        subprocess.run(
            [sys.executable, "-m", self.module, "migrate"], env=self._env(), check=True, timeout=120
        )

    def start(self, ready_timeout_s: float = 60.0) -> None:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", self.module, "serve"],
            env=self._env(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + ready_timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"{self.module} exited with {self.process.returncode}; see {self.log_path}"
                )
            try:
                if httpx.get(f"{self.base_url}/health/ready", timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"{self.module} not ready after {ready_timeout_s}s; see {self.log_path}")

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks run, as when a pod is killed."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
            self.process = None


def service_env(
    *, server_url: str, database_url: str, nats_url: str, namespace: str, module: str
) -> tuple[dict[str, str], str]:
    """Environment for a service under test, and the admin API key it installs at start-up."""
    _, admin_key = generate_api_key()
    env = {
        "RETAIL_SYNC_DATABASE_URL": server_url,
        f"RETAIL_SYNC_{module.upper()}_DATABASE_URL": database_url,
        "RETAIL_SYNC_NATS_URL": nats_url,
        "RETAIL_SYNC_NATS_NAMESPACE": namespace,
        "RETAIL_SYNC_BOOTSTRAP_API_KEY": admin_key,
        "RETAIL_SYNC_LOG_LEVEL": "INFO",
    }
    return env, admin_key


async def delete_streams(nats_url: str, namespace: str) -> None:
    """Delete the JetStream streams of a NATS namespace (e.g. one shared by a whole system under test)."""
    import nats

    client = await nats.connect(nats_url)
    try:
        js = client.jetstream()
        for stream in await js.streams_info():
            if stream.config.name and stream.config.name.startswith(namespace.upper() + "_"):
                await js.delete_stream(stream.config.name)
    finally:
        await client.close()


@dataclass
class RunningService:
    process: ServiceProcess
    admin_key: str
    namespace: str
    database_url: str


@contextmanager
def running_service(
    module: str,
    *,
    server_url: str,
    nats_url: str,
    scratch: Path,
    extra_env: dict[str, str] | None = None,
    namespace: str | None = None,
) -> Iterator[RunningService]:
    """A migrated, ready service process with its own database and NATS namespace (for a module of tests).

    `namespace` shares one NATS namespace between several services (a whole system under test); its
    streams then belong to the caller, who deletes them once every service has stopped. Without it the
    service gets a namespace of its own, deleted when it stops. Call from a synchronous fixture: it
    drives its own event loop for database and stream set-up.
    """
    from retail_testing.plugin import create_database, drop_database

    owns_namespace = namespace is None
    namespace = namespace or f"t{uuid.uuid4().hex[:10]}"
    db_name = f"t_{uuid.uuid4().hex[:12]}"
    database_url = asyncio.run(create_database(server_url, db_name))
    env, admin_key = service_env(
        server_url=server_url,
        database_url=database_url,
        nats_url=nats_url,
        namespace=namespace,
        module=module,
    )
    env |= extra_env or {}
    process = ServiceProcess(module, env, scratch / f"{module}.log")
    try:
        process.migrate()
        process.start()
        yield RunningService(process, admin_key, namespace, database_url)
    finally:
        process.stop()
        asyncio.run(drop_database(server_url, db_name))
        if owns_namespace:
            asyncio.run(delete_streams(nats_url, namespace))
