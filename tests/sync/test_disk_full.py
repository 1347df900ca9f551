"""Disk full (reliability T9): refuse before writing when space or queue limits are short;
an ENOSPC during the write leaves no temp file, no row and loses nothing already queued;
once space returns, submissions work again."""

from __future__ import annotations

import errno
import os
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from kiosk.config import OfflineLimits
from kiosk.errors import StorageError
from sync import receipts
from sync.outbox import ApplicationDraft, Outbox, SubmitReceipt

from .conftest import OpenOutbox

DISK_FULL_ZH = "终端存储空间不足，暂不能受理新的申请，请联系工作人员"


def fake_statvfs(free: int) -> Callable[[str], Any]:
    return lambda _path: SimpleNamespace(f_bavail=free, f_frsize=1)


def snapshot(outbox: Outbox) -> tuple[list[str], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    files = sorted(p.name for p in outbox.attachments.dir.iterdir())
    with sqlite3.connect(outbox.db.path) as conn:
        items = conn.execute("SELECT key, payload FROM outbox ORDER BY seq").fetchall()
        counters = conn.execute("SELECT * FROM counters").fetchall()
    return files, items, counters


def assert_clean(outbox: Outbox) -> None:
    names = [p.name for p in outbox.attachments.dir.iterdir()]
    assert not [n for n in names if n.endswith(".tmp")]
    with sqlite3.connect(outbox.db.path) as conn:
        referenced = {r[0] for r in conn.execute("SELECT sha256 FROM attachments")}
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert set(names) == referenced


def test_low_free_space_is_refused_before_anything_is_written(
        open_outbox: OpenOutbox, draft: Callable[..., ApplicationDraft]) -> None:
    ob = open_outbox(limits=OfflineLimits(min_free_disk_bytes=50_000_000))
    ob.submit_application(draft(0))
    before = snapshot(ob)
    ob.attachments.statvfs = fake_statvfs(50_000_000 + 10_000)  # not enough for a 300 KB scan
    with pytest.raises(StorageError) as err:
        ob.submit_application(draft(1, scan_bytes=300_000))
    assert err.value.user_message == DISK_FULL_ZH
    with pytest.raises(StorageError):
        ob.enqueue_event("heartbeat", {"pad": "x" * 20_000})
    assert snapshot(ob) == before
    ob.attachments.statvfs = os.statvfs  # space comes back
    number = receipts.parse(ob.submit_application(draft(2, scan_bytes=300_000)).provisional_no)
    assert number is not None and number.sequence == 2  # the refusal used no number


def test_queue_limits_refuse_new_applications_until_items_are_delivered(
        open_outbox: OpenOutbox, draft: Callable[..., ApplicationDraft]) -> None:
    ob = open_outbox(limits=OfflineLimits(min_free_disk_bytes=1, max_queued_items=2,
                                          max_queued_bytes=1_000_000))
    first = ob.submit_application(draft(0))
    ob.submit_application(draft(1))
    before = snapshot(ob)
    with pytest.raises(StorageError) as err:
        ob.submit_application(draft(2))
    assert "已达上限" in err.value.user_message
    ob.enqueue_event("rating", {"level": 4})  # events are not applications: still accepted
    ob.mark_sending([first.key])
    ob.mark_delivered(first.key, "C-1")
    with pytest.raises(StorageError) as err:
        ob.check_capacity(1_000_000)  # room for one more item, but not for 1 MB
    assert "容量上限" in err.value.user_message
    ob.submit_application(draft(3))
    files, items, _ = snapshot(ob)
    assert set(before[0]) - set(files) == set(first.attachments)  # purged, nothing else
    assert len(items) == 4


def test_enospc_while_writing_a_scan_rolls_everything_back(
        outbox: Outbox, draft: Callable[..., ApplicationDraft]) -> None:
    queued = outbox.submit_application(draft(0, scans=2))
    before = snapshot(outbox)
    real = outbox.attachments.write_all
    calls = {"n": 0}

    def second_write_fails(fd: int, data: bytes) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            os.write(fd, data[: len(data) // 2])  # a partial temp file is on disk
            raise OSError(errno.ENOSPC, "No space left on device")
        real(fd, data)

    outbox.attachments.write_all = second_write_fails
    with pytest.raises(StorageError) as err:
        outbox.submit_application(draft(1, scans=3))
    assert err.value.user_message == DISK_FULL_ZH
    assert "ENOSPC" in repr(err.value.__cause__) or "No space" in str(err.value)
    assert snapshot(outbox) == before
    assert_clean(outbox)
    outbox.attachments.write_all = real
    again = outbox.submit_application(draft(1, scans=3))
    assert [d.key for d in outbox.due()] == [queued.key, again.key]


def test_an_fsync_failure_is_a_storage_error_too(
        outbox: Outbox, draft: Callable[..., ApplicationDraft]) -> None:
    def eio(_fd: int) -> None:
        raise OSError(errno.EIO, "Input/output error")

    outbox.attachments.fsync = eio
    with pytest.raises(StorageError) as err:
        outbox.submit_application(draft())
    assert err.value.user_message == "终端存储设备读写失败，暂不能受理新的申请，请联系工作人员"
    assert list(outbox.attachments.dir.iterdir()) == []


# -- a real, small filesystem ------------------------------------------------------------

@pytest.fixture
def small_fs(tmp_path: Path) -> Iterator[Path]:
    """A 2 MiB tmpfs mounted for this test (needs root and mount permission)."""
    mnt = tmp_path / "small"
    mnt.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m,mode=0700", "tmpfs",
                           str(mnt)], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"mount not permitted here: {done.stderr.strip()}")
    try:
        yield mnt
    finally:
        if subprocess.run(["umount", str(mnt)], check=False).returncode != 0:
            subprocess.run(["umount", "-l", str(mnt)], check=False)


def fill(path: Path) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for size in (65536, 4096, 1):
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError as err:
                assert err.errno == errno.ENOSPC
    finally:
        os.close(fd)


def test_a_real_full_filesystem_refuses_cleanly_and_recovers(
        small_fs: Path, open_outbox: OpenOutbox,
        draft: Callable[..., ApplicationDraft]) -> None:
    ob = open_outbox(db_path=small_fs / "kiosk.sqlite3", attachments_dir=small_fs / "att",
                     limits=OfflineLimits(min_free_disk_bytes=64 * 1024))
    acked: list[SubmitReceipt] = []
    # 1. the statvfs pre-check on the real filesystem stops us before any write
    with pytest.raises(StorageError) as err:
        while True:
            acked.append(ob.submit_application(draft(len(acked), scan_bytes=300_000)))
    assert err.value.user_message == DISK_FULL_ZH and "min_free_disk_bytes" in str(err.value)
    assert len(acked) >= 3
    assert_clean(ob)

    # 2. a statvfs that lies (or a race with another writer): the scan write hits ENOSPC
    ob.attachments.statvfs = fake_statvfs(10**12)
    with pytest.raises(StorageError) as err:
        ob.submit_application(draft(99, scan_bytes=600_000))
    assert err.value.user_message == DISK_FULL_ZH and "Errno 28" in str(err.value)
    assert_clean(ob)

    # 3. no room even for SQLite's WAL: the COMMIT fails with SQLITE_FULL, rolled back
    fill(small_fs / "filler")
    for i in range(3):
        with pytest.raises(StorageError) as err:
            ob.submit_application(draft(100 + i, scans=0))
        assert err.value.user_message == DISK_FULL_ZH
    assert_clean(ob)
    due = ob.due(limit=100)
    assert [d.key for d in due] == [r.key for r in acked]  # nothing queued was lost

    # 4. space returns: submissions work again, numbering continues without a gap
    (small_fs / "filler").unlink()
    ob.attachments.statvfs = os.statvfs
    ob.mark_sending([acked[0].key])
    ob.mark_delivered(acked[0].key, "C-1")  # delivery purges a scan: more room
    nxt = ob.submit_application(draft(200, scan_bytes=200_000))
    assert int(nxt.provisional_no.split("-")[2]) == len(acked) + 1
    ob.close()
    reopened = open_outbox(db_path=small_fs / "kiosk.sqlite3",
                           attachments_dir=small_fs / "att")
    assert reopened.open_report.quarantined_path is None
    assert [d.key for d in reopened.due(limit=100)] == [r.key for r in acked[1:]] + [nxt.key]
    reopened.close()
