"""Record coupon redemptions for a sale recorded by the order ledger (retail.sales.transaction_recorded.v1).

Rules: only sales (and exchanges) redeem codes; a return gives nothing back; the codes are the
transaction's ``coupons`` plus any discount ``code``; codes this service does not know (e.g. a
marketplace's own vouchers) are skipped; the reference is the document id, so a re-sent revision
of the same sale counts once.
"""

from __future__ import annotations

from canon.sales import SalesTransaction

from promotion.application.ports import UnitOfWork
from promotion.application.use_cases.coupons import redeem_in
from promotion.domain.errors import ValidationError


def codes_used(transaction: SalesTransaction) -> list[str]:
    codes = set(transaction.coupons)
    for line in transaction.lines:
        codes.update(discount.code for discount in line.discounts if discount.code)
    return sorted(codes)


async def record_sale_redemptions(uow: UnitOfWork, transaction: SalesTransaction) -> int:
    if transaction.kind == "return":
        return 0
    recorded = 0
    reference = f"{transaction.source_system}:{transaction.document_id}"
    for code in codes_used(transaction):
        try:
            await redeem_in(
                uow,
                code,
                reference,
                transaction.customer_id,
                source=f"sale:{transaction.channel_id}",
                enforce=False,
                now=transaction.occurred_at,
            )
        except ValidationError:
            continue  # not one of our codes, or no live version any more
        recorded += 1
    return recorded
