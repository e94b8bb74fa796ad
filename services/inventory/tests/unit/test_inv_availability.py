from typing import Any

from canon.master.network import Node
from inventory.adapters.memory import InMemoryNodes, InMemoryUnitOfWork
from inventory.application.queries.channel_availability import GetChannelAvailability
from inventory.domain import Position, PositionKey, channel_availability


def node(node_id: str, *channels: str) -> Node:
    return Node(
        node_id=node_id, name=node_id, kind="store", region="EU", legal_entity_id="LE1",
        timezone="Europe/Berlin", serves_channels=list(channels),
    )  # fmt: skip


NODES = [node("DC1", "web", "app"), node("ST1", "web", "store"), node("ST2", "store"), node("DC9", "web")]


def test_channel_sees_the_sum_over_its_nodes_never_a_negative_node() -> None:
    positions = {
        PositionKey("LAMP", "DC1"): Position(sku="LAMP", node="DC1", on_hand=10, reserved=2, safety_stock=1),
        PositionKey("LAMP", "ST1"): Position(sku="LAMP", node="ST1", on_hand=2, reserved=5),
        PositionKey("LAMP", "ST2"): Position(sku="LAMP", node="ST2", on_hand=9),
    }
    web = channel_availability("LAMP", "web", NODES, positions)
    assert (web.available_to_sell, web.by_node) == (7, {"DC1": 7, "DC9": 0, "ST1": 0})
    store = channel_availability("LAMP", "store", NODES, positions)
    assert (store.available_to_sell, store.by_node) == (9, {"ST1": 0, "ST2": 9})
    assert channel_availability("LAMP", "marketplace", NODES, positions).available_to_sell == 0


async def test_query_reads_positions_of_serving_nodes(build: Any) -> None:
    uow = InMemoryUnitOfWork(positions=[Position(sku="LAMP", node="ST2", on_hand=4)])
    result = await GetChannelAvailability(uow, InMemoryNodes(NODES))("LAMP", "store")
    assert (result.available_to_sell, result.by_node) == (4, {"ST1": 0, "ST2": 4})
