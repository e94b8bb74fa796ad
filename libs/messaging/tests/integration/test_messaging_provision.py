from dataclasses import replace

from messaging.provision import provision, provision_stream
from messaging.topology import Topology
from nats.js import JetStreamContext


async def test_first_provision_creates_every_stream_and_second_changes_nothing(
    nats_client, topology: Topology
) -> None:
    js = nats_client.jetstream()
    names = [spec.name for spec in topology.streams]

    assert await provision(js, topology) == names
    assert await provision(js, topology) == []

    info = await js.stream_info(topology.stream("SALES").name)
    assert info.config.subjects == [topology.subject("retail.sales.>")]
    assert info.config.duplicate_window == 120
    assert info.config.max_age == 400 * 86_400
    assert (await js.stream_info(topology.stream("DLQ").name)).config.max_age == 0


async def test_a_changed_spec_updates_the_stream_once_and_keeps_its_messages(
    js: JetStreamContext, topology: Topology
) -> None:
    spec = topology.stream("LEDGER")
    await js.publish(topology.subject("retail.ledger.entry_posted.v1"), b"{}")
    longer = replace(spec, max_age_s=spec.max_age_s * 2, description="Ledger (kept longer)")

    assert await provision_stream(js, longer) is True
    assert await provision_stream(js, longer) is False

    info = await js.stream_info(spec.name)
    assert info.config.max_age == spec.max_age_s * 2
    assert info.config.description == "Ledger (kept longer)"
    assert info.state.messages == 1
