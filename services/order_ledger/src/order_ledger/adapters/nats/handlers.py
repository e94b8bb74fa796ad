"""Handlers of the other consumed events (each applied in the consumer's inbox transaction)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import msgspec
from canon.envelope import Envelope
from canon.errors import ValidationError
from canon.inventory import RETURN_DISPOSED, SHIPPED
from canon.promotion import VERSION_PUBLISHED
from canon.recon import VARIANCE_POSTED
from messaging.consumer import ConsumerSpec, Handler, PermanentError, typed_handler
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from order_ledger.adapters.postgres.tables import promotion_versions
from order_ledger.adapters.postgres.unit_of_work import SessionUnitOfWork
from order_ledger.application.use_cases.post_return_disposition import PostReturnDisposition
from order_ledger.application.use_cases.post_shipment import PostShipment
from order_ledger.application.use_cases.post_variance import PostVariance
from order_ledger.domain.promotion_terms import terms_from_payload

SHIPMENT_SPEC = ConsumerSpec(
    durable="order_ledger_shipments", stream="INVENTORY", filter_subjects=(SHIPPED.subject,)
)
# NATS 2.9 takes one filter subject per consumer: return dispositions have their own durable.
RETURN_DISPOSED_SPEC = ConsumerSpec(
    durable="order_ledger_return_dispositions",
    stream="INVENTORY",
    filter_subjects=(RETURN_DISPOSED.subject,),
)
VARIANCE_SPEC = ConsumerSpec(
    durable="order_ledger_variances", stream="RECON", filter_subjects=(VARIANCE_POSTED.subject,)
)
# Only the versions (published with their full content): channel feeds and deployment statuses on the
# same stream are not the ledger's business, and channel feeds carry no envelope.
PROMOTION_SPEC = ConsumerSpec(
    durable="order_ledger_promotions", stream="PROMOTION", filter_subjects=(VERSION_PUBLISHED.subject,)
)


def _permanent_on_rule_errors(
    fn: Callable[[SessionUnitOfWork, object, Envelope], Awaitable[object]],
) -> Callable[[AsyncSession, Envelope, object], Awaitable[None]]:
    async def handle(session: AsyncSession, envelope: Envelope, payload: object) -> None:
        try:
            await fn(SessionUnitOfWork(session), payload, envelope)
        except ValidationError as error:  # e.g. no cost known yet: DLQ, replay once master data has it
            raise PermanentError(str(error)) from error

    return handle


def shipment_handler(post: PostShipment) -> Handler:
    return typed_handler(SHIPPED, _permanent_on_rule_errors(post))  # type: ignore[arg-type]


def return_disposition_handler(post: PostReturnDisposition) -> Handler:
    return typed_handler(RETURN_DISPOSED, _permanent_on_rule_errors(post))  # type: ignore[arg-type]


def variance_handler(post: PostVariance) -> Handler:
    return typed_handler(VARIANCE_POSTED, _permanent_on_rule_errors(post))  # type: ignore[arg-type]


async def apply_promotion_event(session: AsyncSession, envelope: Envelope, data: bytes) -> None:
    """Keep promotion versions the events carry in full; status-only events change nothing here."""
    try:
        payload = msgspec.json.decode(data)
    except msgspec.DecodeError as error:
        raise PermanentError(f"promotion event is not JSON: {error}") from error
    terms = terms_from_payload(payload)
    if terms is None:
        return
    statement = insert(promotion_versions).values(
        promotion_id=terms.promotion_id, version=terms.version, terms=msgspec.to_builtins(terms)
    )
    await session.execute(statement.on_conflict_do_nothing())
