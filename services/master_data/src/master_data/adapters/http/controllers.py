"""REST /v1/master: bulk upsert, file import and lookup of master-data records."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import HeaderParameter, QueryParameter
from retail_platform.auth import requires_scope
from retail_platform.idempotency import IdempotencyStore, idempotent
from retail_platform.problems import not_found

from master_data.adapters.http.schemas import BulkUpsertRequest
from master_data.adapters.postgres.queries import MasterRecordQueries, RecordPage, RecordView
from master_data.application.import_file import parse_import
from master_data.application.use_cases.bulk_upsert import BulkUpsert
from master_data.domain.outcome import BulkUpsertResult

IdempotencyKey = Annotated[str | None, HeaderParameter(name="Idempotency-Key", required=False)]


def _result_body(result: BulkUpsertResult) -> tuple[int, bytes]:
    return 200, msgspec.json.encode(result)


class MasterRecordsController(Controller):
    path = "/v1/master"
    tags = ["master data"]

    @post(
        "/{record_type:str}/batches",
        operation_id="BulkUpsertMasterRecords",
        guards=[requires_scope("master:write")],
        summary="Upsert a batch of records of one type; per-record outcomes",
        responses={},
    )
    async def bulk_upsert(
        self,
        request: Request[Any, Any, Any],
        record_type: str,
        data: BulkUpsertRequest,
        bulk_upsert: BulkUpsert,
        idempotency_store: IdempotencyStore,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[bytes]:
        """Good records are stored, bad ones named (field and reason); unchanged ones keep their version."""

        async def produce() -> tuple[int, bytes]:
            rows = list(enumerate(data.records, start=1))
            correlation_id = request.headers.get("x-correlation-id")
            return _result_body(
                await bulk_upsert(record_type, rows, source="api", correlation_id=correlation_id)
            )

        return await idempotent(request, idempotency_store, idempotency_key, produce)

    @post(
        "/{record_type:str}/imports",
        operation_id="ImportMasterRecordFile",
        guards=[requires_scope("master:write")],
        summary="Import an ERP export file (CSV or JSON body); outcomes name file line numbers",
    )
    async def import_file(
        self,
        request: Request[Any, Any, Any],
        record_type: str,
        bulk_upsert: BulkUpsert,
        idempotency_store: IdempotencyStore,
        filename: Annotated[str, QueryParameter(name="filename", description="e.g. items.csv or items.json")],
        idempotency_key: IdempotencyKey = None,
    ) -> Response[bytes]:
        async def produce() -> tuple[int, bytes]:
            rows = parse_import(record_type, filename, await request.body())
            strict = filename.lower().endswith(".json")
            return _result_body(
                await bulk_upsert(record_type, rows, source=f"file:{filename}", strict_types=strict)
            )

        return await idempotent(request, idempotency_store, idempotency_key, produce)

    @get(
        "/{record_type:str}",
        operation_id="ListMasterRecords",
        guards=[requires_scope("master:read")],
        summary="Records of one type, ordered by key, a page at a time",
    )
    async def list_records(
        self,
        record_type: str,
        queries: MasterRecordQueries,
        after: Annotated[str | None, QueryParameter(name="after", required=False)] = None,
        limit: Annotated[int, QueryParameter(name="limit", ge=1, le=1000)] = 100,
    ) -> RecordPage:
        return await queries.page(record_type, after=after, limit=limit)

    @get(
        "/{record_type:str}/{key:str}",
        operation_id="GetMasterRecord",
        guards=[requires_scope("master:read")],
    )
    async def get_record(self, record_type: str, key: str, queries: MasterRecordQueries) -> RecordView:
        found = await queries.get(record_type, key)
        if found is None:
            raise not_found(record_type, key)
        return found

    @get(
        "/{record_type:str}/{key:str}/versions",
        operation_id="GetMasterRecordHistory",
        guards=[requires_scope("master:read")],
    )
    async def history(self, record_type: str, key: str, queries: MasterRecordQueries) -> list[RecordView]:
        versions = await queries.history(record_type, key)
        if not versions:
            raise not_found(record_type, key)
        return versions
