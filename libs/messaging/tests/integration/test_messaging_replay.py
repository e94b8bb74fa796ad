import asyncio
from datetime import UTC, datetime

import pytest
from messaging.publisher import Publisher
from messaging.replay import replay_stream


async def publish_sales(js, topology, helpers, count: int, subject: str | None = None) -> list[str]:
    publisher = Publisher(js, topology)
    ids = []
    for _ in range(count):
        event = helpers.sale_event()
        await publisher.publish(event, event.id.encode(), subject=subject)
        ids.append(event.id)
    return ids


def collector(into: list[tuple[str, int]]):
    async def collect(envelope, payload, seq) -> None:
        assert payload == envelope.id.encode()
        into.append((envelope.id, seq))

    return collect


async def test_replay_from_a_sequence_returns_that_message_and_all_later_ones(js, topology, helpers) -> None:
    ids = await publish_sales(js, topology, helpers, 5)
    seen: list[tuple[str, int]] = []

    assert await replay_stream(js, topology, "SALES", collector(seen), start_seq=3) == 3
    assert seen == [(ids[2], 3), (ids[3], 4), (ids[4], 5)]


async def test_replay_from_a_time_skips_earlier_messages(js, topology, helpers) -> None:
    before = await publish_sales(js, topology, helpers, 2)
    await asyncio.sleep(0.05)
    start = datetime.now(UTC)
    await asyncio.sleep(0.05)
    after = await publish_sales(js, topology, helpers, 3)
    seen: list[tuple[str, int]] = []

    assert await replay_stream(js, topology, "SALES", collector(seen), start_time=start) == 3
    assert [event_id for event_id, _ in seen] == after
    assert not set(before) & {event_id for event_id, _ in seen}


async def test_replay_with_a_filter_and_past_the_end(js, topology, helpers) -> None:
    store_1 = await publish_sales(js, topology, helpers, 2, "retail.sales.transaction_recorded.v1.S1")
    await publish_sales(js, topology, helpers, 2, "retail.sales.transaction_recorded.v1.S2")
    seen: list[tuple[str, int]] = []

    filtered = await replay_stream(
        js, topology, "SALES", collector(seen), filter_subject="retail.sales.transaction_recorded.v1.S1"
    )
    assert filtered == 2
    assert seen == [(store_1[0], 1), (store_1[1], 2)]
    assert await replay_stream(js, topology, "SALES", collector([]), start_seq=99) == 0
    assert await replay_stream(js, topology, "PROMOTION", collector([])) == 0
    consumers = await js.consumers_info(topology.stream("SALES").name)
    assert consumers == []  # the ephemeral consumers are removed


async def test_replay_refuses_two_starting_points(js, topology) -> None:
    with pytest.raises(ValueError, match="not both"):
        await replay_stream(js, topology, "SALES", collector([]), start_seq=1, start_time=datetime.now(UTC))
