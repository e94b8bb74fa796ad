"""ERP export: a batch whose acknowledgment was lost is re-sent and posted once by the ERP; the file
adapter writes the documented layouts and reads ack files; the HTTP adapter sends the batch id."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import msgspec
from canon.money import Money
from canon.sales import SalesLine, SalesTransaction, Tender
from order_ledger.adapters.erp.file_exporter import FileErpExporter
from order_ledger.adapters.erp.http_exporter import HttpErpExporter
from order_ledger.adapters.memory import InMemoryUnitOfWork
from order_ledger.application.use_cases.export_journal import ExportJournal
from order_ledger.application.use_cases.record_transactions import RecordTransactions, Submission
from order_ledger.domain.erp_export import CSV_COLUMNS, LAYOUT, ErpAck, ExportDocument

T0 = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


class FlakyErp:
    """Posts each batch id once; the first answer for a batch gets lost on the way back."""

    def __init__(self) -> None:
        self.posted: dict[str, bytes] = {}
        self.deliveries = 0

    async def send(self, batch_id: str, json_document: bytes, csv_document: bytes) -> ErpAck | None:
        self.deliveries += 1
        first_time = batch_id not in self.posted
        self.posted.setdefault(batch_id, json_document)
        if first_time:
            raise TimeoutError("the acknowledgment was lost")
        return ErpAck(batch_id=batch_id, reference=f"ERP-{batch_id[:8]}")

    async def acknowledgments(self) -> list[ErpAck]:
        return []


def sale(document: str) -> SalesTransaction:
    usd = Money(1000, "USD")
    return SalesTransaction(
        source_system="pos",
        document_id=document,
        kind="sale",
        order_id=document,
        channel_id="store",
        node_id="S1",
        legal_entity_id="US01",
        currency="USD",
        business_date=date(2026, 11, 27),
        occurred_at=T0,
        lines=[SalesLine(line_id="1", sku="A", quantity=1, unit_price=usd)],
        tenders=[Tender(tender_id="1", kind="cash", amount=usd)],
    )


async def test_export_resent_after_a_lost_acknowledgment_is_posted_once() -> None:
    uow, clock, erp = InMemoryUnitOfWork(), Clock(), FlakyErp()
    await RecordTransactions(uow, clock=clock)(
        [Submission(1, sale("S1")), Submission(2, sale("S2"))], received_via="test"
    )
    export = ExportJournal(uow, erp, resend_after_s=60, clock=clock)
    await export.run_once()
    assert erp.deliveries == 1
    await export.run_once()  # not due yet: nothing re-sent
    assert erp.deliveries == 1
    clock.now += timedelta(seconds=61)
    await export.run_once()
    assert erp.deliveries == 2
    [(batch_id, document)] = erp.posted.items()
    assert msgspec.json.decode(document, type=ExportDocument).entry_count == 2
    assert uow.committed.batches[batch_id]["ack"] == ErpAck(
        batch_id=batch_id, reference=f"ERP-{batch_id[:8]}"
    )
    clock.now += timedelta(seconds=600)
    await export.run_once()  # acknowledged: never sent again, and no new batch without new entries
    assert (erp.deliveries, len(uow.committed.batches)) == (2, 1)


async def test_file_adapter_writes_both_layouts_and_reads_ack_files(tmp_path: Path) -> None:
    uow, clock = InMemoryUnitOfWork(), Clock()
    await RecordTransactions(uow, clock=clock)([Submission(1, sale("F1"))], received_via="test")
    exporter = FileErpExporter(tmp_path)
    export = ExportJournal(uow, exporter, clock=clock)
    await export.run_once()
    [json_file] = list((tmp_path / "outgoing").glob("*.json"))
    document = msgspec.json.decode(json_file.read_bytes(), type=ExportDocument)
    assert (document.layout, document.entry_count, document.line_count) == (LAYOUT, 1, 2)
    rows = list(csv.DictReader(io.StringIO((tmp_path / "outgoing" / f"{document.batch_id}.csv").read_text())))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [(r["account"], r["side"], r["amount"], r["role"]) for r in rows] == [
        ("4000", "credit", "10.00", "revenue"),
        ("1100", "debit", "10.00", "tender_clearing"),
    ]
    (tmp_path / "acks").mkdir()
    (tmp_path / "acks" / "ack1.json").write_bytes(
        msgspec.json.encode({"batch_id": document.batch_id, "reference": "JE-77"})
    )
    await export.run_once()
    assert uow.committed.batches[document.batch_id]["ack"] == ErpAck(
        batch_id=document.batch_id, reference="JE-77"
    )
    assert list((tmp_path / "acks" / "processed").iterdir())


async def test_http_adapter_posts_with_the_batch_id_as_idempotency_key() -> None:
    seen: list[httpx.Request] = []

    def erp(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(201, json={"reference": "JE-1"})

    exporter = HttpErpExporter(
        "http://erp.test/journal-batches", client=httpx.AsyncClient(transport=httpx.MockTransport(erp))
    )
    ack = await exporter.send("b-1", b'{"batch_id": "b-1"}', b"")
    assert ack == ErpAck(batch_id="b-1", reference="JE-1")
    assert (seen[0].headers["Idempotency-Key"], seen[0].content) == ("b-1", b'{"batch_id": "b-1"}')
