"""Export posted journal entries to the ERP in batches, idempotently, until acknowledged.

Rules:
- a batch takes entries not yet in any batch (oldest first); its id is derived from its entries and
  its document (JSON and CSV layouts, contracts/erp/) is rendered once and stored;
- a batch is sent until the ERP acknowledges it; without an acknowledgment it is re-sent, byte for
  byte with the same batch id, after `resend_after_s` (the ERP drops a batch id it already posted);
- an acknowledgment (in the ERP's answer, an ack file, or the acknowledgment API) is recorded with
  the ERP's reference; an unknown batch id is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from order_ledger.application import metrics
from order_ledger.application.ports import ErpExporter, UnitOfWorkFactory
from order_ledger.domain.erp_export import ErpAck, export_document, render_csv, render_json


class ExportJournal:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        exporter: ErpExporter,
        *,
        resend_after_s: float = 300.0,
        batch_size: int = 1000,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self._uow_factory = uow_factory
        self._exporter = exporter
        self._resend_after_s = resend_after_s
        self._batch_size = batch_size
        self._clock = clock or (lambda: datetime.now(UTC))

    async def create_batch(self) -> str | None:
        """Put the oldest unexported entries into a new batch; None when there are none."""
        async with self._uow_factory() as uow:
            entries = await uow.exports.unexported_entries(self._batch_size)
            if not entries:
                return None
            document = export_document(entries, self._clock())
            await uow.exports.create(
                document.batch_id, [e.entry_id for e in entries], render_json(document), render_csv(document)
            )
            await uow.commit()
        return document.batch_id

    async def send_due(self) -> list[str]:
        """Send every batch never sent or unacknowledged for too long; returns the acknowledged ids."""
        now = self._clock()
        async with self._uow_factory() as uow:
            due = await uow.exports.due(now, self._resend_after_s)
        acknowledged = []
        for batch in due:
            error: str | None = None
            ack: ErpAck | None = None
            try:
                ack = await self._exporter.send(batch.batch_id, batch.json_document, batch.csv_document)
            except Exception as failure:  # the ERP is down: recorded, re-sent later
                error = f"{type(failure).__name__}: {failure}"
            metrics.ERP_BATCHES.labels("acknowledged" if ack else "failed" if error else "sent").inc()
            async with self._uow_factory() as uow:
                await uow.exports.record_attempt(batch.batch_id, now, error)
                if ack is not None and ack.accepted:
                    await uow.exports.acknowledge(ack, now)
                    acknowledged.append(batch.batch_id)
                await uow.commit()
        return acknowledged

    async def collect_acknowledgments(self) -> int:
        acks = await self._exporter.acknowledgments()
        for ack in acks:
            await self.acknowledge(ack)
        return len(acks)

    async def acknowledge(self, ack: ErpAck) -> bool:
        async with self._uow_factory() as uow:
            known = await uow.exports.acknowledge(ack, self._clock())
            await uow.commit()
        return known

    async def run_once(self) -> None:
        while await self.create_batch() is not None:
            pass
        await self.collect_acknowledgments()
        await self.send_due()
