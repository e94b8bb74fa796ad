"""REST /v1/positions (all quantities, per sku and node; PUT a position's safety stock) and
/v1/channels/{id}/availability (what a channel may promise, over the nodes that serve it)."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, put
from litestar.params import QueryParameter
from retail_platform.auth import requires_scope
from retail_platform.principal import Principal
from retail_platform.problems import not_found

from inventory.adapters.http.access import nodes_for_channel, require_unbound
from inventory.adapters.http.schemas import (
    ChannelAvailabilityView,
    PositionView,
    SafetyStockRequest,
    SkuAvailabilityView,
)
from inventory.adapters.postgres.master_read_model import MasterReadModel
from inventory.adapters.postgres.queries import InventoryQueries
from inventory.application.use_cases.set_safety_stock import SetSafetyStock, SetSafetyStockCmd
from inventory.domain.availability import channel_availability
from inventory.domain.position import PositionKey


class PositionsController(Controller):
    path = "/v1/positions"
    tags = ["positions"]

    @get("/{sku:str}", operation_id="ListPositionsOfSku", guards=[requires_scope("inventory:read")])
    async def of_sku(self, sku: str, principal: Principal, queries: InventoryQueries) -> list[PositionView]:
        """Every node where something happened to the sku."""
        require_unbound(principal)
        return [PositionView.of(position) for position in await queries.positions_of(sku)]

    @get("/{sku:str}/{node:str}", operation_id="GetPosition", guards=[requires_scope("inventory:read")])
    async def one(self, sku: str, node: str, principal: Principal, queries: InventoryQueries) -> PositionView:
        require_unbound(principal)
        found = (await queries.positions([sku], [node])).get(PositionKey(sku, node))
        if found is None or (found.as_of is None and found.safety_stock == 0):
            raise not_found("position", f"{sku}@{node}")
        return PositionView.of(found)

    @put(
        "/{sku:str}/{node:str}/safety-stock",
        operation_id="SetSafetyStock",
        guards=[requires_scope("inventory:write")],
        summary="Hold units back from what channels may promise at one position",
    )
    async def set_safety_stock(
        self,
        sku: str,
        node: str,
        data: SafetyStockRequest,
        principal: Principal,
        set_safety_stock: SetSafetyStock,
    ) -> PositionView:
        """The position after the change (available to sell reflects it at once); the change is
        audited (key owner, time, reason) and a position-changed event is published. Setting the
        current value again changes nothing. 422 naming the field for an unknown sku or node."""
        require_unbound(principal)
        cmd = SetSafetyStockCmd(
            sku=sku, node=node, safety_stock=data.safety_stock, reason=data.reason,
            changed_by=f"api:{principal.owner}",
        )  # fmt: skip
        return PositionView.of(await set_safety_stock(cmd))


class ChannelAvailabilityController(Controller):
    path = "/v1/channels"
    tags = ["availability"]

    @get(
        "/{channel_id:str}/availability",
        operation_id="GetChannelAvailability",
        guards=[requires_scope("inventory:read")],
        summary="Available to sell per sku for a channel, summed over the nodes serving it",
    )
    async def availability(
        self,
        channel_id: str,
        principal: Principal,
        queries: InventoryQueries,
        master_read_model: MasterReadModel,
        skus: Annotated[list[str], QueryParameter(name="sku", min_items=1, max_items=500)],
    ) -> ChannelAvailabilityView:
        await nodes_for_channel(principal, channel_id, [], master_read_model)
        nodes = await master_read_model.serving(channel_id)
        positions = await queries.positions(skus, [node.node_id for node in nodes])
        items = []
        for sku in dict.fromkeys(skus):
            available = channel_availability(sku, channel_id, nodes, positions)
            items.append(
                SkuAvailabilityView(
                    sku=sku, available_to_sell=available.available_to_sell, by_node=available.by_node
                )
            )
        return ChannelAvailabilityView(channel_id=channel_id, items=items)
