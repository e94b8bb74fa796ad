"""The snapshot watched folder on the shared loop (retail_platform.watched_folder): the layout
(snapshots/<source>/*.csv) and report names are kept; an unreadable file is rejected with
`.error.json`; dot-files and other suffixes are left alone; an oversized file is rejected unread; a
failure leaves the file for the next scan."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from inventory.adapters.files.watcher import SnapshotFolderWatcher
from inventory.application.use_cases.balance_snapshot import SnapshotResult

CSV = b"sku,node,counted_qty,as_of\nLAMP,DC1,4,2026-03-01T09:00:00Z\n"


class Balance:
    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.seen: list[Any] = []

    async def __call__(self, lines: Any) -> SnapshotResult:
        if self.fail:
            raise ConnectionError("database is down")
        self.seen.append(lines)
        return SnapshotResult(
            lines=len(lines),
            balanced=len(lines),
            adjusted=0,
            exceptions=0,
            duplicates=0,
            rejected=0,
            outcomes=[],
        )


def watcher(tmp_path: Path, balance: Balance, **options: Any) -> SnapshotFolderWatcher:
    return SnapshotFolderWatcher(tmp_path, balance, **options)  # type: ignore[arg-type]


async def test_a_snapshot_file_is_balanced_and_archived_and_other_names_are_left_alone(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "snapshots" / "wms"
    folder.mkdir(parents=True)
    (folder / "count.csv").write_bytes(CSV)
    (folder / "bad.csv").write_bytes(b"")
    (folder / ".copying.csv").write_bytes(CSV)
    (folder / "notes.txt").write_bytes(b"hello")
    balance = Balance()
    assert await watcher(tmp_path, balance).scan_once() == 2
    assert len(balance.seen) == 1
    [report] = (folder / "processed").glob("*_count.csv.outcomes.json")
    assert json.loads(report.read_bytes())["lines"] == 1
    [error] = (folder / "rejected").glob("*_bad.csv.error.json")
    assert json.loads(error.read_bytes())["field"] == "file"
    assert sorted(p.name for p in folder.iterdir() if p.is_file()) == [".copying.csv", "notes.txt"]


async def test_an_oversized_file_is_rejected_unread(tmp_path: Path) -> None:
    folder = tmp_path / "snapshots" / "erp"
    folder.mkdir(parents=True)
    (folder / "big.csv").write_bytes(CSV)
    balance = Balance()
    assert await watcher(tmp_path, balance, max_bytes=10).scan_once() == 1
    assert balance.seen == []
    [error] = (folder / "rejected").glob("*_big.csv.error.json")
    assert "the limit is 10 bytes" in json.loads(error.read_bytes())["reason"]


async def test_a_failure_leaves_the_file_for_the_next_scan(tmp_path: Path) -> None:
    folder = tmp_path / "snapshots" / "store_count"
    folder.mkdir(parents=True)
    (folder / "count.csv").write_bytes(CSV)
    with pytest.raises(ConnectionError):
        await watcher(tmp_path, Balance(fail=True)).scan_once()
    assert (folder / "count.csv").exists()
    assert await watcher(tmp_path, Balance()).scan_once() == 1
    assert list((folder / "processed").glob("*_count.csv.outcomes.json"))
