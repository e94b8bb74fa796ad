"""REST /v1/reservations: reserve (refused with 409 when it would oversell), look up, release."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import HeaderParameter
from retail_platform.auth import requires_scope
from retail_platform.idempotency import IdempotencyStore, idempotent
from retail_platform.principal import Principal
from retail_platform.problems import ProblemError, not_found

from inventory.adapters.http.access import nodes_for_channel
from inventory.adapters.http.schemas import ReservationView, ReserveRequest
from inventory.adapters.postgres.master_read_model import MasterReadModel
from inventory.adapters.postgres.queries import InventoryQueries
from inventory.adapters.reservation_batcher import ReservationBatcher
from inventory.application.use_cases.release_reservation import ReleaseReservation, ReleaseReservationCmd
from inventory.application.use_cases.reserve_stock import ReserveStockCmd
from inventory.domain.errors import InsufficientStock

IdempotencyKey = Annotated[str | None, HeaderParameter(name="Idempotency-Key", required=False)]


def insufficient(error: InsufficientStock) -> ProblemError:
    return ProblemError(
        409,
        "Insufficient stock",
        f"{error.requested} requested of {error.sku} at {error.node}, {error.available} available to sell",
        field="qty",
        type="urn:retail-sync:problem:insufficient-stock",
    )


class ReservationsController(Controller):
    path = "/v1/reservations"
    tags = ["reservations"]

    @post(
        "/",
        operation_id="ReserveStock",
        guards=[requires_scope("inventory:reserve")],
        summary="Reserve stock for an order until the TTL runs out; never oversells",
        responses={},
    )
    async def reserve(
        self,
        request: Request[Any, Any, Any],
        data: ReserveRequest,
        principal: Principal,
        reservation_batcher: ReservationBatcher,
        master_read_model: MasterReadModel,
        idempotency_store: IdempotencyStore,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[bytes]:
        """201 with the reservation; 200 when the reservation id was reserved before (a replay);
        409 when available to sell is short."""
        await nodes_for_channel(principal, data.channel_id, [data.node], master_read_model)
        cmd = ReserveStockCmd(
            reservation_id=data.reservation_id, sku=data.sku, node=data.node, qty=data.qty,
            ttl=timedelta(seconds=data.ttl_seconds), order_id=data.order_id,
            source_system=f"api:{principal.owner}",
        )  # fmt: skip

        async def produce() -> tuple[int, bytes]:
            outcome = await reservation_batcher.reserve(cmd)
            if isinstance(outcome.error, InsufficientStock):
                raise insufficient(outcome.error)
            if outcome.error is not None:
                raise outcome.error
            assert outcome.reservation is not None
            body = msgspec.json.encode(ReservationView.of(outcome.reservation))
            return (200 if outcome.replayed else 201), body

        return await idempotent(request, idempotency_store, idempotency_key, produce)

    @get("/{reservation_id:str}", operation_id="GetReservation", guards=[requires_scope("inventory:read")])
    async def get_reservation(self, reservation_id: str, queries: InventoryQueries) -> ReservationView:
        found = await queries.reservation(reservation_id)
        if found is None:
            raise not_found("reservation", reservation_id)
        return ReservationView.of(found)

    @post(
        "/{reservation_id:str}/release",
        operation_id="ReleaseReservation",
        guards=[requires_scope("inventory:reserve")],
        summary="Give back what is still reserved; releasing twice changes nothing",
        status_code=200,
    )
    async def release(
        self,
        reservation_id: str,
        principal: Principal,
        queries: InventoryQueries,
        release_reservation: ReleaseReservation,
        master_read_model: MasterReadModel,
    ) -> ReservationView:
        found = await queries.reservation(reservation_id)
        if found is None:
            raise not_found("reservation", reservation_id)
        if principal.channels:  # a bound key releases only at nodes serving one of its channels
            serving = {n.node_id for c in principal.channels for n in await master_read_model.serving(c)}
            if found.node not in serving:
                raise ProblemError(
                    403, "Forbidden", "the reservation's node serves none of the key's channels"
                )
        released = await release_reservation(ReleaseReservationCmd(reservation_id=reservation_id))
        return ReservationView.of(released)
