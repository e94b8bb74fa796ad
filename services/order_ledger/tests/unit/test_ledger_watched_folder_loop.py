"""The ledger's watched folder on the shared loop (retail_platform.watched_folder): the layout
(transactions/ and poslog/<legal_entity>/) and report names are kept; in-flight dot-files and other
suffixes are left alone; an oversized file is rejected unread; a failure leaves the file for the next
scan."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from order_ledger.adapters.files.watcher import FolderWatcher
from order_ledger.adapters.memory import InMemoryUnitOfWork
from order_ledger.application.use_cases.record_transactions import RecordTransactions

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
SAMPLE = (
    Path(__file__).resolve().parents[4] / ".." / "shared" / "samples" / "poslog" / "ncr_acs_poslog_SMALL.xml"
)


class Failing:
    """A RecordTransactions whose database is down."""

    def __init__(self) -> None:
        self.calls = 0

    async def __call__(self, submissions: Any, *, received_via: str) -> Any:
        self.calls += 1
        raise ConnectionError("database is down")


def watcher(tmp_path: Path, record: Any = None, **options: Any) -> FolderWatcher:
    return FolderWatcher(
        tmp_path, record or RecordTransactions(InMemoryUnitOfWork(), clock=lambda: NOW), **options
    )


async def test_a_transactions_file_is_archived_with_its_outcomes_and_other_names_are_left_alone(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "transactions"
    folder.mkdir()
    (folder / "batch.json").write_text("{}")  # not a batch: refused as a record, the file is processed
    (folder / ".copying.json").write_text("[]")
    (folder / "notes.txt").write_text("hello")
    assert await watcher(tmp_path).scan_once() == 1
    [report] = (folder / "processed").glob("*_batch.json.outcomes.json")
    assert json.loads(report.read_bytes())["rejected"] == 1
    assert sorted(p.name for p in folder.iterdir() if p.is_file()) == [".copying.json", "notes.txt"]


async def test_an_oversized_file_is_rejected_unread(tmp_path: Path) -> None:
    failing = Failing()
    (tmp_path / "transactions").mkdir()
    (tmp_path / "transactions" / "big.json").write_bytes(b"[" + b" " * 100 + b"]")
    (tmp_path / "poslog" / "US01").mkdir(parents=True)
    (tmp_path / "poslog" / "US01" / "big.xml").write_bytes(SAMPLE.read_bytes())
    assert await watcher(tmp_path, failing, max_bytes=50).scan_once() == 2
    assert failing.calls == 0
    for folder, name in (("transactions", "big.json"), ("poslog/US01", "big.xml")):
        [report] = (tmp_path / folder / "rejected").glob(f"*_{name}.error.json")
        assert "the limit is 50 bytes" in json.loads(report.read_bytes())["reason"]


async def test_a_failure_leaves_the_file_for_the_next_scan(tmp_path: Path) -> None:
    folder = tmp_path / "poslog" / "US01"
    folder.mkdir(parents=True)
    (folder / "day1.xml").write_bytes(SAMPLE.read_bytes())
    with pytest.raises(ConnectionError):
        await watcher(tmp_path, Failing()).scan_once()
    assert (folder / "day1.xml").exists()
    assert not (folder / "processed").exists()
    assert await watcher(tmp_path).scan_once() == 1
    assert [p.name.endswith("_day1.xml.outcomes.json") for p in (folder / "processed").glob("*.json")] == [
        True
    ]
