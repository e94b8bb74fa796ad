"""gRPC InventoryService: protobuf <-> commands and queries (generated code is built at start-up).

The API key comes in the `x-api-key` metadata; scopes and channel bindings as over REST. A refused
reservation is an answer (outcome INSUFFICIENT_STOCK), not an error status: in a flash sale most
callers are refused, and an error status would make each refusal an exception on both sides.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from types import ModuleType
from typing import Any

import grpc
from canon.errors import ValidationError
from retail_platform.api_keys import ApiKeyStore
from retail_platform.principal import Principal

from inventory.adapters.postgres.queries import InventoryQueries
from inventory.adapters.reservation_batcher import ReservationBatcher
from inventory.application.ports import Nodes
from inventory.application.use_cases.release_reservation import ReleaseReservation, ReleaseReservationCmd
from inventory.application.use_cases.reserve_stock import ReserveStockCmd
from inventory.domain.errors import InsufficientStock
from inventory.domain.reservation import Reservation

PROTO = "retail_sync/inventory/v1/inventory.proto"
API_KEY_METADATA = "x-api-key"
MAX_SKUS, MAX_NODES = 500, 200
DEFAULT_TTL_S = 900


class InventoryServicer:
    def __init__(
        self,
        pb: ModuleType,
        api_keys: ApiKeyStore,
        queries: InventoryQueries,
        nodes: Nodes,
        batcher: ReservationBatcher,
        release_reservation: ReleaseReservation,
    ) -> None:
        self._pb = pb
        self._api_keys = api_keys
        self._queries = queries
        self._nodes = nodes
        self._batcher = batcher
        self._release = release_reservation

    async def GetAvailability(self, request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:  # noqa: N802
        principal = await self._authorize(context, "inventory:read")
        skus, nodes = list(dict.fromkeys(request.skus)), list(dict.fromkeys(request.nodes))
        if not 1 <= len(skus) <= MAX_SKUS:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"skus: give 1 to {MAX_SKUS}")
        nodes = await self._nodes_for(context, principal, request.channel_id or None, nodes)
        if not 1 <= len(nodes) <= MAX_NODES:
            await context.abort(
                grpc.StatusCode.INVALID_ARGUMENT, f"nodes: give 1 to {MAX_NODES} or a channel_id"
            )
        grid = await self._queries.availability(skus, nodes)
        width = len(nodes)
        answer = []  # plain dicts: upb builds the nested messages from them faster than from objects
        for start, sku in zip(range(0, len(skus) * width, width), skus, strict=True):
            available = grid.available[start : start + width]
            answer.append(
                {
                    "sku": sku,
                    "available_to_sell": sum(available),
                    "available_by_node": available,
                    "on_hand_by_node": grid.on_hand[start : start + width],
                    "reserved_by_node": grid.reserved[start : start + width],
                    "in_transit_by_node": grid.in_transit[start : start + width],
                }
            )
        return self._pb.GetAvailabilityResponse(nodes=nodes, skus=answer)

    async def Reserve(self, request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:  # noqa: N802
        principal = await self._authorize(context, "inventory:reserve")
        await self._nodes_for(context, principal, request.channel_id or None, [request.node])
        cmd = ReserveStockCmd(
            reservation_id=request.reservation_id, sku=request.sku, node=request.node, qty=request.qty,
            ttl=timedelta(seconds=request.ttl_seconds or DEFAULT_TTL_S), order_id=request.order_id or None,
            source_system=f"grpc:{principal.owner}",
        )  # fmt: skip
        outcome = await self._batcher.reserve(cmd)
        pb = self._pb
        if isinstance(outcome.error, InsufficientStock):
            return pb.ReserveResponse(
                outcome=pb.RESERVE_OUTCOME_INSUFFICIENT_STOCK,
                available_to_sell=outcome.error.available,
                reason=outcome.error.reason,
            )
        if outcome.error is not None or outcome.reservation is None:
            error = outcome.error or ValidationError("reservation_id", "not recorded")
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"{error.field}: {error.reason}")
        assert outcome.reservation is not None
        kind = pb.RESERVE_OUTCOME_REPLAYED if outcome.replayed else pb.RESERVE_OUTCOME_RESERVED
        return pb.ReserveResponse(outcome=kind, reservation=self._reservation(outcome.reservation))

    async def Release(self, request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:  # noqa: N802
        principal = await self._authorize(context, "inventory:reserve")
        found = await self._queries.reservation(request.reservation_id)
        if found is None:
            await context.abort(
                grpc.StatusCode.NOT_FOUND, f"reservation {request.reservation_id!r} does not exist"
            )
        assert found is not None
        await self._nodes_for(context, principal, request.channel_id or None, [found.node])
        try:
            released = await self._release(ReleaseReservationCmd(reservation_id=request.reservation_id))
        except ValidationError as error:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"{error.field}: {error.reason}")
        return self._pb.ReleaseResponse(reservation=self._reservation(released))

    async def _authorize(self, context: grpc.aio.ServicerContext[Any, Any], scope: str) -> Principal:
        key = dict(context.invocation_metadata() or ()).get(API_KEY_METADATA)
        principal = await self._api_keys.authenticate(str(key)) if key else None
        if principal is None:
            await context.abort(
                grpc.StatusCode.UNAUTHENTICATED, f"send a valid API key in {API_KEY_METADATA!r}"
            )
        assert principal is not None
        if not principal.has_scope(scope):
            await context.abort(grpc.StatusCode.PERMISSION_DENIED, f"the API key lacks the scope {scope!r}")
        return principal

    async def _nodes_for(
        self,
        context: grpc.aio.ServicerContext[Any, Any],
        principal: Principal,
        channel_id: str | None,
        nodes: list[str],
    ) -> list[str]:
        """The nodes to use: those asked for (checked against the channel), else the channel's."""
        if channel_id is None:
            if principal.channels:
                await context.abort(
                    grpc.StatusCode.PERMISSION_DENIED, "channel_id: a key bound to channels must name one"
                )
            return nodes
        if not principal.may_access_channel(channel_id):
            await context.abort(
                grpc.StatusCode.PERMISSION_DENIED, f"channel_id: the key is not bound to {channel_id!r}"
            )
        serving = [node.node_id for node in await self._nodes.serving(channel_id)]
        foreign = sorted(set(nodes) - set(serving))
        if foreign:
            await context.abort(
                grpc.StatusCode.PERMISSION_DENIED, f"nodes: {', '.join(foreign)} do not serve {channel_id!r}"
            )
        return nodes or serving

    def _reservation(self, reservation: Reservation) -> Any:
        return self._pb.Reservation(
            reservation_id=reservation.reservation_id, sku=reservation.sku, node=reservation.node,
            qty=reservation.qty, open_qty=reservation.open_qty, status=reservation.status,
            expires_at=_timestamp(reservation.expires_at), created_at=_timestamp(reservation.created_at),
            order_id=reservation.order_id or "",
        )  # fmt: skip


def _timestamp(instant: datetime) -> Any:
    from google.protobuf.timestamp_pb2 import Timestamp

    stamp = Timestamp()
    stamp.FromDatetime(instant)
    return stamp
