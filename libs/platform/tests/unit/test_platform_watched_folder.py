"""The shared watched folder: what it takes, skips, refuses by size, and leaves for the next scan."""

import asyncio
from pathlib import Path

import msgspec
import pytest
from retail_platform.watched_folder import FileOutcome, WatchedFolder


class Taker:
    def __init__(self, fail: bool = False) -> None:
        self.taken: list[tuple[str, str, bytes]] = []
        self.fail = fail

    async def __call__(self, folder: str, path: Path, content: bytes) -> FileOutcome:
        if self.fail:
            raise ConnectionError("database down")
        self.taken.append((folder, path.name, content))
        return FileOutcome(rejected=content == b"bad", report=b'{"ok": true}')


def names(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir()) if folder.is_dir() else []


async def test_takes_files_in_name_order_and_archives_each_with_its_report(tmp_path: Path) -> None:
    (tmp_path / "item").mkdir()
    (tmp_path / "item" / "b.csv").write_bytes(b"bad")
    (tmp_path / "item" / "a.csv").write_bytes(b"good")
    (tmp_path / "item" / ".c.csv").write_bytes(b"in flight")
    (tmp_path / "item" / "notes.txt").write_bytes(b"not ours")
    taker = Taker()
    assert await WatchedFolder(tmp_path, taker, folders=["item"], suffixes=[".csv"]).scan_once() == 2
    assert taker.taken == [("item", "a.csv", b"good"), ("item", "b.csv", b"bad")]
    assert names(tmp_path / "item") == [".c.csv", "notes.txt", "processed", "rejected"]
    [processed, report] = names(tmp_path / "item" / "processed")
    assert processed.endswith("_a.csv")
    assert report == processed + ".outcomes.json"
    assert names(tmp_path / "item" / "rejected")[0].endswith("_b.csv")


async def test_a_file_over_the_limit_is_rejected_unread_naming_the_limit(tmp_path: Path) -> None:
    (tmp_path / "LE-1").mkdir()
    (tmp_path / "LE-1" / "huge.csv").write_bytes(b"x" * 101)
    (tmp_path / "LE-1" / "small.csv").write_bytes(b"x" * 100)
    taker = Taker()
    assert await WatchedFolder(tmp_path, taker, max_bytes=100).scan_once() == 2
    assert [name for _, name, _ in taker.taken] == ["small.csv"]
    [report] = [p for p in (tmp_path / "LE-1" / "rejected").iterdir() if p.name.endswith(".error.json")]
    assert msgspec.json.decode(report.read_bytes()) == {
        "file": "huge.csv",
        "field": "file",
        "reason": "the file is 101 bytes; the limit is 100 bytes",
    }


async def test_a_file_that_fails_unexpectedly_stays_for_the_next_scan(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "a.json").write_bytes(b"{}")
    with pytest.raises(ConnectionError):
        await WatchedFolder(tmp_path, Taker(fail=True)).scan_once()
    assert names(tmp_path / "x") == ["a.json"]
    taker = Taker()
    assert await WatchedFolder(tmp_path, taker).scan_once() == 1
    assert names(tmp_path / "x") == ["processed"]


async def test_run_keeps_scanning_after_a_failure_and_stops_when_asked(tmp_path: Path) -> None:
    taker = Taker(fail=True)
    folder = WatchedFolder(tmp_path, taker, folders=["in"], poll_s=0.01)
    (tmp_path / "in").mkdir(parents=True)
    (tmp_path / "in" / "a.csv").write_bytes(b"good")
    stop = asyncio.Event()
    running = asyncio.create_task(folder.run(stop))
    await asyncio.sleep(0.05)
    taker.fail = False
    for _ in range(100):
        if taker.taken:
            break
        await asyncio.sleep(0.01)
    stop.set()
    await asyncio.wait_for(running, 1)
    assert taker.taken == [("in", "a.csv", b"good")]
