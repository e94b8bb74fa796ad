"""Scenario: POSLog files dropped in the ledger's watched folder are recorded like the canonical files
(parsed by the POSLog connector for the legal entity the folder names), archived with their outcomes,
and a re-dropped file changes nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from order_ledger.adapters.files.watcher import FolderWatcher
from order_ledger.adapters.memory import InMemoryUnitOfWork
from order_ledger.application.use_cases.record_transactions import RecordTransactions

SAMPLE = (
    Path(__file__).resolve().parents[4] / ".." / "shared" / "samples" / "poslog" / "ncr_acs_poslog_SMALL.xml"
)
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def outcomes(folder: Path) -> list[dict[str, object]]:
    found = []
    for path in sorted((folder / "processed").glob("*.outcomes.json")):
        found += json.loads(path.read_bytes())["outcomes"]
    return found


async def test_a_poslog_file_in_the_watched_folder_is_posted_archived_and_a_redrop_is_a_duplicate(
    tmp_path: Path,
) -> None:
    uow = InMemoryUnitOfWork()
    watcher = FolderWatcher(tmp_path, RecordTransactions(uow, clock=lambda: NOW))
    folder = tmp_path / "poslog" / "US01"
    folder.mkdir(parents=True)
    (folder / "folder.json").write_text('{"timezone": "America/New_York", "channel_id": "store"}')
    (folder / "day1.xml").write_bytes(SAMPLE.read_bytes())
    assert await watcher.scan_once() == 1
    [posted] = outcomes(folder)
    assert (posted["status"], posted["document_id"]) == ("posted", "9-34-2017-09-30-161")
    [stored] = [s.record for s in uow.committed.transactions.values()]
    assert stored.transaction.legal_entity_id == "US01"
    assert stored.transaction.channel_id == "store"
    assert stored.received_via == "file:poslog/US01/day1.xml"
    assert not (folder / "day1.xml").exists()
    assert [p.name.endswith("_day1.xml") for p in (folder / "processed").glob("*.xml")] == [True]

    (folder / "again.xml").write_bytes(SAMPLE.read_bytes())
    assert await watcher.scan_once() == 1
    assert sorted(o["status"] for o in outcomes(folder)) == ["duplicate", "posted"]
    assert len(uow.committed.entries) == 1


async def test_a_malformed_poslog_file_is_refused_naming_the_element(tmp_path: Path) -> None:
    uow = InMemoryUnitOfWork()
    watcher = FolderWatcher(tmp_path, RecordTransactions(uow, clock=lambda: NOW))
    folder = tmp_path / "poslog" / "US01"
    folder.mkdir(parents=True)
    sample = SAMPLE.read_bytes()
    (folder / "folder.json").write_text('{"timezone": "America/New_York"}')
    (folder / "bad.xml").write_bytes(
        sample.replace(b"<RegularSalesUnitPrice>", b"<RegularSalesUnitPrice>x", 1)
    )
    await watcher.scan_once()
    [refused] = outcomes(folder)
    assert refused["status"] == "rejected"
    field = str(refused["errors"][0]["field"])  # type: ignore[index]
    assert field.startswith("Transaction[2](seq 161)/RetailTransaction/LineItem(seq 1)/Sale")
    assert len(uow.committed.rejections) == 1
    assert uow.committed.entries == {}


async def test_a_bad_folder_setting_refuses_the_file_naming_it(tmp_path: Path) -> None:
    uow = InMemoryUnitOfWork()
    watcher = FolderWatcher(tmp_path, RecordTransactions(uow, clock=lambda: NOW))
    folder = tmp_path / "poslog" / "US01"
    folder.mkdir(parents=True)
    (folder / "folder.json").write_text('{"timezone": "Mars/Olympus"}')
    (folder / "day1.xml").write_bytes(SAMPLE.read_bytes())
    await watcher.scan_once()
    [refused] = outcomes(folder)
    assert refused["status"] == "rejected"
    assert refused["errors"] == [
        {"field": "folder.json.timezone", "reason": "unknown IANA time zone 'Mars/Olympus'"}
    ]
