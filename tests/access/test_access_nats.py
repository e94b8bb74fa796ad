"""NATS least privilege with infra/nats/accounts.conf on a real nats-server: every service user publishes on
its own context's subjects (and dead letters) and is refused on every other context's; none may read a
stream it does not consume or delete a stream. The passwords come from the environment, as on Kubernetes."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import nats
import pytest
from messaging.provision import provision
from messaging.topology import Topology
from nats.js.api import ConsumerConfig
from retail_platform.embedded import free_port, nats_server_binary, wait_for_port

pytestmark = pytest.mark.integration
ACCOUNTS = Path(__file__).resolve().parents[2] / "infra" / "nats" / "accounts.conf"
CONTEXTS = ("master", "promotion", "inventory", "sales", "ledger", "recon")
OWNS = {
    "master_data": {"master"},
    "promotion": {"promotion"},
    "inventory": {"inventory"},
    "order_ledger": {"sales", "ledger"},
    "reconciliation": {"recon"},
}
CONSUMES = {
    "master_data": set(),
    "promotion": {"MASTER", "PROMOTION", "SALES"},
    "inventory": {"MASTER", "INVENTORY"},
    "order_ledger": {"MASTER", "PROMOTION", "INVENTORY", "SALES", "RECON"},
    "reconciliation": {"MASTER", "INVENTORY", "SALES", "LEDGER"},
}
STREAMS = ("MASTER", "PROMOTION", "INVENTORY", "SALES", "LEDGER", "RECON")


def password(user: str) -> str:
    return f"secret-{user}"


@pytest.fixture(scope="module")
def secured_nats(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    folder = tmp_path_factory.mktemp("nats-least-privilege")
    shutil.copy(ACCOUNTS, folder / "accounts.conf")
    variables = set(re.findall(r"\$(NATS_PASSWORD_\w+)", ACCOUNTS.read_text(encoding="utf-8")))
    env = dict(os.environ) | {v: password(v.removeprefix("NATS_PASSWORD_").lower()) for v in variables}
    port = free_port()
    (folder / "server.conf").write_text(
        f'port: {port}\nhost: "127.0.0.1"\njetstream {{ store_dir: "{folder / "js"}" }}\n'
        "include ./accounts.conf\n"
    )
    with (folder / "server.log").open("ab") as log:
        process = subprocess.Popen(
            [nats_server_binary(), "-c", str(folder / "server.conf")], env=env, stdout=log, stderr=log
        )
        try:
            wait_for_port("127.0.0.1", port)

            async def provisioned() -> None:
                client = await nats.connect(f"nats://provisioner:{password('provisioner')}@127.0.0.1:{port}")
                await provision(client.jetstream(timeout=5), Topology())
                await client.close()

            asyncio.run(provisioned())
            yield port
        finally:
            process.terminate()
            process.wait(timeout=10)


async def connect(port: int, user: str, errors: list[str]) -> nats.NATS:
    async def on_error(error: Exception) -> None:
        errors.append(str(error))

    return await nats.connect(
        f"nats://{user}:{password(user)}@127.0.0.1:{port}", error_cb=on_error, allow_reconnect=False
    )


@pytest.mark.parametrize("user", sorted(OWNS))
async def test_a_service_publishes_only_on_its_own_context(secured_nats: int, user: str) -> None:
    errors: list[str] = []
    client = await connect(secured_nats, user, errors)
    js = client.jetstream(timeout=2)
    try:
        acked = []
        for context in sorted(OWNS[user]):
            ack = await js.publish(f"retail.{context}.probe.v1", b"{}")
            acked.append(ack.stream)
        dead = await js.publish(f"retail.dlq.{user}_probe", b"{}")
        for context in CONTEXTS:
            if context not in OWNS[user]:
                await client.publish(f"retail.{context}.probe.v1", b"{}")
        await client.flush()
        await asyncio.sleep(0.3)
    finally:
        await client.close()
    assert acked == sorted(c.upper() if c != "master" else "MASTER" for c in OWNS[user])
    assert dead.stream == "DLQ"
    refused = sorted(c for c in CONTEXTS if c not in OWNS[user])
    assert sorted(errors) == sorted(
        f'nats: permissions violation for publish to "retail.{c}.probe.v1"' for c in refused
    )


@pytest.mark.parametrize("user", sorted(OWNS))
async def test_a_service_reads_only_the_streams_it_consumes_and_deletes_none(
    secured_nats: int, user: str
) -> None:
    errors: list[str] = []
    client = await connect(secured_nats, user, errors)
    js = client.jetstream(timeout=1)
    readable = set()
    try:
        for stream in STREAMS:
            try:
                await js.add_consumer(stream, ConsumerConfig(durable_name=f"{user}_probe"))
                readable.add(stream)
            except nats.errors.TimeoutError:
                pass
        with pytest.raises(nats.errors.TimeoutError):
            await js.delete_stream("SALES")
    finally:
        await client.close()
    assert readable == CONSUMES[user]
    assert 'nats: permissions violation for publish to "$js.api.stream.delete.sales"' in errors
