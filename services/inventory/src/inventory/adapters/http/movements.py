"""REST /v1/movements and /v1/snapshots: movement batches and external balance snapshots."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec
from canon.errors import ValidationError
from canon.inventory import SnapshotSource
from litestar import Controller, Request, Response, post
from litestar.params import HeaderParameter, QueryParameter
from retail_platform.auth import requires_scope
from retail_platform.idempotency import IdempotencyStore, idempotent
from retail_platform.principal import Principal

from inventory.adapters import metrics
from inventory.adapters.http.access import require_unbound
from inventory.adapters.http.schemas import (
    MovementBatchRequest,
    MovementBatchResult,
    SnapshotLineIn,
    SnapshotRequest,
)
from inventory.application.snapshot_file import parse_snapshot_csv
from inventory.application.use_cases.balance_snapshot import BalanceSnapshot
from inventory.application.use_cases.record_movements import RecordMovements
from inventory.domain.decoding import field_error
from inventory.domain.drift import Snapshot

IdempotencyKey = Annotated[str | None, HeaderParameter(name="Idempotency-Key", required=False)]


class MovementsController(Controller):
    path = "/v1/movements"
    tags = ["movements"]

    @post(
        "/batches",
        operation_id="RecordMovementBatch",
        guards=[requires_scope("inventory:write")],
        summary="Record a batch of movements; one outcome per record (bad ones named by field)",
        status_code=200,
    )
    async def record(
        self,
        request: Request[Any, Any, Any],
        data: MovementBatchRequest,
        principal: Principal,
        record_movements: RecordMovements,
        idempotency_store: IdempotencyStore,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[bytes]:
        """Good records are recorded even when others are rejected; a duplicate changes nothing."""
        require_unbound(principal)

        async def produce() -> tuple[int, bytes]:
            outcome = await record_movements(data.records)
            for status in ("accepted", "duplicate", "rejected"):
                metrics.MOVEMENTS.labels("rest", status).inc(outcome.count(status))
            result = MovementBatchResult(
                accepted=outcome.count("accepted"),
                duplicates=outcome.count("duplicate"),
                rejected=outcome.count("rejected"),
                outcomes=outcome.outcomes,
            )
            return 200, msgspec.json.encode(result)

        return await idempotent(request, idempotency_store, idempotency_key, produce)


class SnapshotsController(Controller):
    path = "/v1/snapshots"
    tags = ["balancing"]

    @post(
        "/",
        operation_id="BalanceSnapshot",
        guards=[requires_scope("inventory:write")],
        summary="Balance an external count against the event-derived balance as of its instant",
        status_code=200,
    )
    async def balance(
        self,
        request: Request[Any, Any, Any],
        data: SnapshotRequest,
        principal: Principal,
        balance_snapshot: BalanceSnapshot,
        idempotency_store: IdempotencyStore,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[bytes]:
        require_unbound(principal)
        lines = [(position, _line(raw, data)) for position, raw in enumerate(data.lines, start=1)]

        async def produce() -> tuple[int, bytes]:
            return 200, msgspec.json.encode(metrics.count_snapshot_lines(await balance_snapshot(lines)))

        return await idempotent(request, idempotency_store, idempotency_key, produce)

    @post(
        "/imports",
        operation_id="ImportSnapshotFile",
        guards=[requires_scope("inventory:write")],
        summary="Balance a snapshot CSV (sku,node,counted_qty[,as_of]); outcomes name file lines",
        status_code=200,
    )
    async def import_file(
        self,
        request: Request[Any, Any, Any],
        principal: Principal,
        balance_snapshot: BalanceSnapshot,
        idempotency_store: IdempotencyStore,
        source: Annotated[SnapshotSource, QueryParameter(name="source")],
        as_of: Annotated[datetime | None, QueryParameter(name="as_of", required=False)] = None,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[bytes]:
        require_unbound(principal)
        lines = parse_snapshot_csv(await request.body(), source, as_of)

        async def produce() -> tuple[int, bytes]:
            return 200, msgspec.json.encode(metrics.count_snapshot_lines(await balance_snapshot(lines)))

        return await idempotent(request, idempotency_store, idempotency_key, produce)


def _line(raw: Any, request: SnapshotRequest) -> Snapshot | ValidationError:
    try:
        line = msgspec.convert(raw, SnapshotLineIn)
        as_of = line.as_of or request.as_of
        if as_of is None:
            raise ValidationError("as_of", "no instant on this line and none for the snapshot")
        return Snapshot(
            sku=line.sku, node=line.node, counted_qty=line.counted_qty, as_of=as_of, source=request.source
        )
    except msgspec.ValidationError as error:
        return field_error(error)
    except ValidationError as error:
        return error
