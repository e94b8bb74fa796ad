"""`retail-sync up` on embedded servers: starts, serves, stops on Ctrl-C, and a second `up` keeps the data."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from retail_platform.embedded import free_port
from retail_sync_cli.services import SERVICES

pytestmark = pytest.mark.integration


def start_up(
    data_dir: Path, env: dict[str, str], *options: str
) -> tuple[subprocess.Popen[str], str, list[str]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "retail_sync_cli.main", "up", "--data-dir", str(data_dir), *options],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    deadline = time.monotonic() + 300
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
        if line.startswith("ready in"):
            key = next(x for x in lines if x.startswith("admin API key")).split(": ", 1)[1].strip()
            return process, key, lines
    process.terminate()  # SIGTERM: up stops what it started (a kill would orphan the services)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
    raise AssertionError("up did not become ready:\n" + "".join(lines))


def stop_up(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=60) == 0


def test_up_on_embedded_servers_keeps_data_across_restarts(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (tmp_path).chmod(0o755)  # the embedded PostgreSQL runs as an unprivileged user
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("RETAIL_SYNC_")}
    env |= {"RETAIL_SYNC_EMBEDDED_NATS_PORT": str(free_port())}
    for service in SERVICES:  # every service on a free port, so the test never collides with a running system
        env[f"{service.env_prefix}_HTTP_PORT"] = str(port if service.name == "master_data" else free_port())
        if service.grpc_port is not None:
            env[f"{service.env_prefix}_GRPC_PORT"] = str(free_port())
    base = f"http://127.0.0.1:{port}"

    process, key, lines = start_up(data_dir, env)
    try:
        assert any("PostgreSQL: embedded" in line for line in lines)
        assert httpx.get(f"{base}/health/ready").status_code == 200
        record = {
            "channel_id": "ECOM",
            "name": "Web",
            "kind": "ecommerce",
            "legal_entity_id": "LE",
            "currency": "EUR",
        }
        stored = httpx.post(
            f"{base}/v1/master/channel/batches", json={"records": [record]}, headers={"X-API-Key": key}
        )
        assert stored.json()["accepted"] == 1
    finally:
        stop_up(process)

    # the restart only needs the service that holds the record (every service started above)
    process, key_again, _ = start_up(data_dir, env, "--only", "master_data")
    try:
        assert key_again == key
        found = httpx.get(f"{base}/v1/master/channel/ECOM", headers={"X-API-Key": key})
        assert found.status_code == 200
        assert found.json()["record"]["name"] == "Web"
    finally:
        stop_up(process)
