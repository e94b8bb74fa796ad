"""``retail.sales.transaction_submitted.v1``: a channel submits a sales transaction to the ledger.

POS gateways, OMS and marketplace bridges publish here (SALES stream) instead of calling the REST
API; the order ledger consumes the subject, validates, de-duplicates (source + document + revision)
and posts. The event id should be ``canon.ids.event_id_for(source, document, revision)`` so a
re-published document is dropped by JetStream inside its window and by the ledger after it.
"""

from __future__ import annotations

from datetime import datetime

import msgspec

from canon.event_type import EventType, register
from canon.sales import SalesTransaction


class TransactionSubmitted(msgspec.Struct, frozen=True, kw_only=True):
    transaction: SalesTransaction
    submitted_at: datetime | None = None


TRANSACTION_SUBMITTED = register(
    EventType(
        context="sales",
        name="transaction_submitted",
        version=1,
        payload=TransactionSubmitted,
        description="A channel submitted a sales transaction (sale, return or exchange) for posting.",
    )
)
