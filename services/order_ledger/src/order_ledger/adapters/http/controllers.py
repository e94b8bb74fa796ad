"""REST: /v1/sales (ingestion, raw channel payloads, order trace) and /v1/ledger (entries, posting
rules, ERP export batches). Controllers only translate HTTP into use case calls."""

from __future__ import annotations

from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec
from litestar import Controller, Request, Response, get, post, put
from litestar.params import HeaderParameter, QueryParameter
from retail_platform.auth import principal_of, requires_scope
from retail_platform.idempotency import IdempotencyStore, idempotent
from retail_platform.problems import ProblemError, not_found

from order_ledger.adapters.http.visibility import may_see, may_see_trace, require_unbound
from order_ledger.adapters.postgres.queries import ExportBatchView, LedgerQueries, OrderTrace, RejectionView
from order_ledger.application.intake import (
    canonical_submissions,
    poslog_submissions,
    shopify_order_submissions,
    shopify_refund_submissions,
)
from order_ledger.application.use_cases.export_journal import ExportJournal
from order_ledger.application.use_cases.record_transactions import RecordTransactions, Submission
from order_ledger.domain.erp_export import ErpAck
from order_ledger.domain.outcome import FieldProblem
from order_ledger.domain.rules import PostingRules, decode_rules

IdempotencyKey = Annotated[str | None, HeaderParameter(name="Idempotency-Key", required=False)]
Text = Annotated[str, QueryParameter()]
OptionalText = Annotated[str | None, QueryParameter(required=False)]


class ExportRun(msgspec.Struct, frozen=True, kw_only=True):
    acknowledged: list[str]


class Acknowledgment(msgspec.Struct, frozen=True, kw_only=True):
    reference: str | None = None
    accepted: bool = True
    message: str | None = None


async def _record(
    request: Request[Any, Any, Any],
    record: RecordTransactions,
    submissions: list[Submission],
    received_via: str,
) -> tuple[int, bytes]:
    principal = principal_of(request)

    def authorize(tx: Any) -> FieldProblem | None:
        if not principal.may_access_channel(tx.channel_id):
            return FieldProblem(
                field="channel_id", reason=f"this API key may not post for channel {tx.channel_id}"
            )
        if not principal.may_access_legal_entity(tx.legal_entity_id):
            return FieldProblem(
                field="legal_entity_id", reason=f"this API key may not post for {tx.legal_entity_id}"
            )
        return None

    correlation_id = request.headers.get("x-correlation-id")
    if correlation_id:
        submissions = [Submission(s.position, s.transaction, s.problems, correlation_id) for s in submissions]
    result = await record(submissions, received_via=received_via, authorize=authorize)
    return 200, msgspec.json.encode(result)


class SalesController(Controller):
    path = "/v1/sales"
    tags = ["sales ingestion"]

    @post(
        "/transactions/batches",
        operation_id="RecordSalesTransactions",
        guards=[requires_scope("sales:write")],
        summary="Record a batch of canonical sales transactions; per-record outcomes",
        description='Body: a JSON array of SalesTransaction, or {"transactions": [...]} '
        "(schema: contracts/events/sales/transaction_recorded.v1.schema.json, $defs.SalesTransaction).",
    )
    async def record_batch(
        self,
        request: Request[Any, Any, Any],
        record_transactions: RecordTransactions,
        idempotency_store: IdempotencyStore,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[bytes]:
        async def produce() -> tuple[int, bytes]:
            return await _record(
                request, record_transactions, canonical_submissions(await request.body()), "api"
            )

        return await idempotent(request, idempotency_store, idempotency_key, produce)

    @post(
        "/shopify/orders",
        operation_id="RecordShopifyOrder",
        guards=[requires_scope("sales:write")],
        summary="Record a Shopify order webhook body (orders/create, orders/paid)",
    )
    async def shopify_order(
        self,
        request: Request[Any, Any, Any],
        record_transactions: RecordTransactions,
        idempotency_store: IdempotencyStore,
        channel_id: Text,
        node_id: Text,
        legal_entity_id: Text,
        revision: Annotated[int, QueryParameter(ge=1)] = 1,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[bytes]:
        async def produce() -> tuple[int, bytes]:
            submissions = shopify_order_submissions(
                await request.body(),
                channel_id=channel_id,
                node_id=node_id,
                legal_entity_id=legal_entity_id,
                revision=revision,
            )
            return await _record(request, record_transactions, submissions, "api:shopify")

        return await idempotent(request, idempotency_store, idempotency_key, produce)

    @post(
        "/shopify/refunds",
        operation_id="RecordShopifyRefund",
        guards=[requires_scope("sales:write")],
        summary="Record a Shopify refund webhook body; the original order is looked up by its id",
    )
    async def shopify_refund(
        self,
        request: Request[Any, Any, Any],
        record_transactions: RecordTransactions,
        queries: LedgerQueries,
        idempotency_store: IdempotencyStore,
        channel_id: OptionalText = None,
        node_id: OptionalText = None,
        legal_entity_id: OptionalText = None,
        revision: Annotated[int, QueryParameter(ge=1)] = 1,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[bytes]:
        async def produce() -> tuple[int, bytes]:
            body = await request.body()
            try:
                order_id = msgspec.json.decode(body).get("order_id")
            except (msgspec.DecodeError, AttributeError):
                order_id = None
            original = await queries.transaction(str(order_id)) if order_id is not None else None
            submissions = shopify_refund_submissions(
                body,
                original=original,
                channel_id=channel_id,
                node_id=node_id,
                legal_entity_id=legal_entity_id,
                revision=revision,
            )
            return await _record(request, record_transactions, submissions, "api:shopify")

        return await idempotent(request, idempotency_store, idempotency_key, produce)

    @post(
        "/poslog",
        operation_id="RecordPosLog",
        guards=[requires_scope("sales:write")],
        summary="Record an ARTS POSLog XML document (one outcome per retail transaction)",
    )
    async def poslog(
        self,
        request: Request[Any, Any, Any],
        record_transactions: RecordTransactions,
        idempotency_store: IdempotencyStore,
        legal_entity_id: Text,
        channel_id: Annotated[str, QueryParameter()] = "store",
        currency: OptionalText = None,
        timezone: OptionalText = None,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[bytes]:
        try:
            zone = ZoneInfo(timezone) if timezone else None
        except (ZoneInfoNotFoundError, ValueError):
            raise ProblemError(
                400, "Invalid time zone", f"unknown IANA time zone {timezone!r}", field="timezone"
            ) from None

        async def produce() -> tuple[int, bytes]:
            submissions = poslog_submissions(
                await request.body(),
                legal_entity_id=legal_entity_id,
                channel_id=channel_id,
                currency=currency,
                timezone=zone,
            )
            return await _record(request, record_transactions, submissions, "api:poslog")

        return await idempotent(request, idempotency_store, idempotency_key, produce)

    @get(
        "/orders/{order_id:str}/trace",
        operation_id="TraceOrder",
        guards=[requires_scope("sales:read")],
        summary="An order's transactions and journal entries (settlement and bank: from reconciliation)",
    )
    async def trace(
        self, request: Request[Any, Any, Any], order_id: str, queries: LedgerQueries
    ) -> OrderTrace:
        found = await queries.trace(order_id)
        if found is None or not may_see_trace(principal_of(request), found):
            raise not_found("order", order_id)
        return found

    @get("/rejections", operation_id="ListRejectedTransactions", guards=[requires_scope("sales:read")])
    async def rejections(
        self,
        request: Request[Any, Any, Any],
        queries: LedgerQueries,
        limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 100,
    ) -> list[RejectionView]:
        require_unbound(principal_of(request), "rejections")
        return await queries.rejections(limit)


class LedgerController(Controller):
    path = "/v1/ledger"
    tags = ["ledger"]

    @get("/entries/{entry_id:str}", operation_id="GetJournalEntry", guards=[requires_scope("ledger:read")])
    async def entry(self, request: Request[Any, Any, Any], entry_id: str, queries: LedgerQueries) -> Any:
        found = await queries.entry(entry_id)
        if found is None or not may_see(principal_of(request), found.channel_id, found.legal_entity_id):
            raise not_found("journal entry", entry_id)
        return found

    @get(
        "/posting-rules/{chart_id:str}",
        operation_id="GetPostingRules",
        guards=[requires_scope("ledger:read")],
    )
    async def rules(self, chart_id: str, queries: LedgerQueries) -> PostingRules:
        return await queries.rules(chart_id)

    @put(
        "/posting-rules/{chart_id:str}",
        operation_id="PutPostingRules",
        guards=[requires_scope("ledger:write")],
        summary="Replace a chart's posting rules (data, see GET for the shape)",
    )
    async def put_rules(
        self, request: Request[Any, Any, Any], chart_id: str, queries: LedgerQueries
    ) -> PostingRules:
        rules = decode_rules(await request.body())
        if rules.chart_id != chart_id:
            raise ProblemError(
                422, "Chart mismatch", f"body is for chart {rules.chart_id!r}", field="chart_id"
            )
        await queries.put_rules(rules)
        return rules

    @post("/exports", operation_id="RunErpExport", guards=[requires_scope("ledger:write")], status_code=200)
    async def run_export(self, export_journal: ExportJournal) -> ExportRun:
        """Batch unexported entries, collect acknowledgments, send what is due."""
        while await export_journal.create_batch() is not None:
            pass
        await export_journal.collect_acknowledgments()
        return ExportRun(acknowledged=await export_journal.send_due())

    @get("/exports/{batch_id:str}", operation_id="GetErpExportBatch", guards=[requires_scope("ledger:read")])
    async def export_batch(self, batch_id: str, queries: LedgerQueries) -> ExportBatchView:
        found = await queries.export_batch(batch_id)
        if found is None:
            raise not_found("export batch", batch_id)
        return found

    @post(
        "/exports/{batch_id:str}/acknowledgment",
        operation_id="AcknowledgeErpExportBatch",
        guards=[requires_scope("ledger:write")],
        status_code=200,
    )
    async def acknowledge(
        self, batch_id: str, data: Acknowledgment, export_journal: ExportJournal
    ) -> ExportRun:
        ack = ErpAck(
            batch_id=batch_id, reference=data.reference, accepted=data.accepted, message=data.message
        )
        if not await export_journal.acknowledge(ack):
            raise not_found("export batch", batch_id)
        return ExportRun(acknowledged=[batch_id])
