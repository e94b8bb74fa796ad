"""Durable consumers of the promotion service: master-data replica, recorded sales, channel acks.

Each handler runs inside the consumer's inbox transaction (exactly-once effects); a message that
breaks a rule (an ack for an unknown deployment) is permanent and goes to the DLQ with the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from canon.envelope import Envelope
from canon.promotion import CHANNEL_ACK, ChannelAck
from canon.sales import TRANSACTION_RECORDED, TransactionRecorded
from messaging.consumer import ConsumerSpec, Handler, PermanentError, typed_handler
from sqlalchemy.ext.asyncio import AsyncSession

from promotion.adapters.postgres.unit_of_work import SessionUnitOfWork
from promotion.application.errors import NotFound
from promotion.application.use_cases.acknowledge import acknowledge_in
from promotion.application.use_cases.sales import record_sale_redemptions
from promotion.domain.distribution.deployment import Deployment
from promotion.domain.errors import PromotionError, ValidationError

SALES_SPEC = ConsumerSpec(
    durable="promotion_sales_redemptions",
    stream="SALES",
    filter_subjects=(TRANSACTION_RECORDED.subject,),
)
CHANNEL_ACK_SPEC = ConsumerSpec(
    durable="promotion_channel_acks",
    stream="PROMOTION",
    filter_subjects=(CHANNEL_ACK.subject,),
)


def sales_handler() -> Handler:
    async def handle(session: AsyncSession, envelope: Envelope, event: TransactionRecorded) -> None:
        await record_sale_redemptions(SessionUnitOfWork(session), event.transaction)

    return typed_handler(TRANSACTION_RECORDED, handle)


def channel_ack_handler(on_change: Callable[[Deployment], None]) -> Handler:
    async def handle(session: AsyncSession, envelope: Envelope, ack: ChannelAck) -> None:
        try:
            after = await acknowledge_in(
                SessionUnitOfWork(session),
                ack.deployment_id,
                accepted=ack.accepted,
                reason=ack.reason,
                now=datetime.now(UTC),
            )
        except (NotFound, PromotionError, ValidationError) as error:
            raise PermanentError(str(error)) from error
        on_change(after)

    return typed_handler(CHANNEL_ACK, handle)
