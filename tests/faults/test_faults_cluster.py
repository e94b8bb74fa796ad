"""A three-node JetStream cluster on loopback with R3 streams (RETAIL_SYNC_NATS_STREAM_REPLICAS=3): the node
the services connected to is killed mid-load and comes back on an empty disk (a replaced pod whose volume
was lost); nothing is lost or posted twice, and every stream is still R3 with all replicas current
afterwards. The services discover the other nodes from the server (cluster-advertised URLs) and
reconnect there; the returning node catches up from its peers."""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import Iterator

import nats
import pytest
from fault_checks import assert_exactly_once, count_check, plan_for
from fault_servers import NatsCluster, Servers, private_folder
from fault_system import System

pytestmark = pytest.mark.integration
CLUSTER_SERVICES = ("master_data", "inventory", "order_ledger", "reconciliation")


@pytest.fixture(scope="module")
def cluster_system(servers: Servers) -> Iterator[tuple[NatsCluster, System]]:
    cluster = NatsCluster(private_folder("retail-sync-cluster-"))
    cluster.start()
    folder = cluster.folder / "services"
    folder.mkdir()
    system = System(
        folder,
        servers.postgres.url,
        cluster.urls,
        services=CLUSTER_SERVICES,
        extra_env={"RETAIL_SYNC_NATS_STREAM_REPLICAS": "3"},
        database_suffix="_r3",
    )
    try:
        system.start()
        yield cluster, system
    finally:
        system.stop()
        cluster.stop()


async def stream_replicas(urls: tuple[str, ...]) -> dict[str, tuple[int, int, bool]]:
    """Per stream: configured replicas, replicas the cluster reports, and whether all are current."""
    client = await nats.connect(list(urls))
    try:
        found = {}
        for info in await client.jetstream().streams_info():
            replicas = (info.cluster.replicas or []) if info.cluster else []
            current = all(replica.current for replica in replicas)
            found[info.config.name] = (info.config.num_replicas, len(replicas) + 1, current)
        return found
    finally:
        await client.close()


async def test_one_node_of_three_killed_mid_load_and_brought_back(
    cluster_system: tuple[NatsCluster, System], run_id: str
) -> None:
    cluster, system = cluster_system
    streams = ("MASTER", "PROMOTION", "INVENTORY", "SALES", "LEDGER", "RECON", "DLQ")
    assert await stream_replicas(cluster.urls) == dict.fromkeys(streams, (3, 3, True))
    plan = plan_for(run_id)
    await system.seed_master_data(plan)
    started = time.monotonic()
    load = asyncio.create_task(system.load(plan))
    await asyncio.sleep(4.0)
    seed = cluster.nodes[0]  # every service's RETAIL_SYNC_NATS_URL
    await asyncio.to_thread(cluster.kill, seed)
    shutil.rmtree(seed.folder / "js")  # its volume is gone: only the peers hold the data now
    await asyncio.sleep(3.0)
    assert not load.done(), "the load ended before the node came back"
    await asyncio.to_thread(cluster.start_node, seed)
    report = await load
    result = await count_check(
        system, "3-node JetStream cluster: kill one node, bring it back empty", [report], started=started
    )
    assert_exactly_once(result)
    for _ in range(50):
        if (found := await stream_replicas(cluster.urls)) == dict.fromkeys(streams, (3, 3, True)):
            break
        await asyncio.sleep(0.2)
    assert found == dict.fromkeys(streams, (3, 3, True))
