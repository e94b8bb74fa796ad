"""Post a settlement variance reconciliation explained (`retail.recon.variance_posted.v1`).

Rules: the variance kind's posting rule names the role (processor fee, FX, commission, chargeback,
reserve); the other side is the processor's tender clearing account; the period is that of the
variance's business date (next open one if closed). The same variance id is posted once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from canon.envelope import Envelope
from canon.recon import VariancePosted

from order_ledger.application import events
from order_ledger.application.ports import ReferenceNeeds, UnitOfWork
from order_ledger.domain.other_postings import post_variance
from order_ledger.domain.periods import choose_period


class PostVariance:
    def __init__(self, clock: Callable[[], datetime] | None = None) -> None:
        self._clock = clock or (lambda: datetime.now(UTC))

    async def __call__(
        self, uow: UnitOfWork, variance: VariancePosted, envelope: Envelope | None = None
    ) -> str:
        legal_entity_id = variance.legal_entity_id
        reference = await uow.reference.load(ReferenceNeeds({legal_entity_id}, set(), set(), set(), set()))
        period = choose_period(
            legal_entity_id, reference.calendars.get(legal_entity_id, []), variance.business_date
        )
        entry = post_variance(
            variance, rules=reference.rules_for(legal_entity_id), period=period, posted_at=self._clock()
        )
        if not await uow.journal.exists(entry.entry_id):
            await uow.journal.add([entry])
            await uow.outbox.add_many(
                [events.entry_posted(entry, envelope.correlation_id if envelope else None)]
            )
        return entry.entry_id
