"""The settlement/bank watched folder on the shared loop (retail_platform.watched_folder): files in
`<inbox>/<legal_entity_id>/` are taken like an upload, archived with `<name>.outcome.json` in
processed/ or rejected/; dot-files are left alone; an oversized file is rejected unread; a failure
leaves the file for the next scan."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from recon_builders import adyen_file, adyen_row
from reconciliation.adapters.files.watcher import FolderWatcher
from reconciliation.adapters.memory import InMemoryUnitOfWork
from reconciliation.application.use_cases.ingest_file import IngestFile

RECEIVED = datetime(2026, 3, 5, 9, tzinfo=UTC)
GOOD = adyen_file([adyen_row("P1", "Settled", "10.00", "9.70", fee="0.30")])
BAD = adyen_file([adyen_row("P2", "Settled", "1O.00", "9.70", batch="8")])


def watcher(tmp_path: Path, uow: InMemoryUnitOfWork, **options: Any) -> FolderWatcher:
    return FolderWatcher(tmp_path, IngestFile(uow, None, clock=lambda: RECEIVED), **options)


async def test_files_are_taken_per_legal_entity_and_archived_with_their_outcome(tmp_path: Path) -> None:
    uow = InMemoryUnitOfWork()
    folder = tmp_path / "LE-NL"
    folder.mkdir()
    (folder / "good.csv").write_bytes(GOOD)
    (folder / "bad.csv").write_bytes(BAD)
    (folder / ".copying.csv").write_bytes(GOOD)
    assert await watcher(tmp_path, uow).scan_once() == 2
    [taken] = (folder / "processed").glob("*_good.csv.outcome.json")
    assert json.loads(taken.read_bytes())["status"] == "taken"
    [rejected] = (folder / "rejected").glob("*_bad.csv.outcome.json")
    assert [p["line"] for p in json.loads(rejected.read_bytes())["problems"]] == [2]
    assert [record.legal_entity_id for record in uow.committed.files.values()] == ["LE-NL"]
    assert sorted(p.name for p in folder.iterdir() if p.is_file()) == [".copying.csv"]
    assert await watcher(tmp_path, uow).scan_once() == 0  # processed/ and rejected/ are not entities


async def test_an_oversized_file_is_rejected_unread(tmp_path: Path) -> None:
    uow = InMemoryUnitOfWork()
    (tmp_path / "LE-NL").mkdir()
    (tmp_path / "LE-NL" / "big.csv").write_bytes(GOOD)
    assert await watcher(tmp_path, uow, max_bytes=20).scan_once() == 1
    [error] = (tmp_path / "LE-NL" / "rejected").glob("*_big.csv.error.json")
    assert "the limit is 20 bytes" in json.loads(error.read_bytes())["reason"]
    assert uow.committed.files == {}
    assert uow.committed.rejections == []


async def test_a_failure_leaves_the_file_for_the_next_scan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    uow = InMemoryUnitOfWork()
    (tmp_path / "LE-NL").mkdir()
    (tmp_path / "LE-NL" / "good.csv").write_bytes(GOOD)
    failing = watcher(tmp_path, uow)

    async def down(*args: Any, **kwargs: Any) -> Any:
        raise ConnectionError("database is down")

    monkeypatch.setattr(failing, "_ingest_file", down)
    with pytest.raises(ConnectionError):
        await failing.scan_once()
    assert (tmp_path / "LE-NL" / "good.csv").exists()
    assert await watcher(tmp_path, uow).scan_once() == 1
    assert list((tmp_path / "LE-NL" / "processed").glob("*_good.csv.outcome.json"))
