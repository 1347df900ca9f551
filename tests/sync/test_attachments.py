"""Content-addressed, atomically written attachment files and the orphan sweep."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from kiosk.crypto import sha256_hex
from kiosk.errors import StorageError
from sync.attachments import AttachmentStore
from sync.db import UnitOfWork
from sync.outbox import ApplicationDraft, Outbox

from .conftest import OpenOutbox


def test_files_are_named_by_their_sha256_private_and_leave_no_temp_file(
        tmp_path: Path) -> None:
    store = AttachmentStore(tmp_path / "att")
    blobs = [os.urandom(1000), os.urandom(2000)]
    shas = store.write_many(blobs)
    store.release(shas)
    assert shas == [sha256_hex(b) for b in blobs]
    assert sorted(p.name for p in store.dir.iterdir()) == sorted(shas)
    for sha, blob in zip(shas, blobs, strict=True):
        assert store.read(sha) == blob
        assert stat.S_IMODE(store.path(sha).stat().st_mode) == 0o600
    assert stat.S_IMODE(store.dir.stat().st_mode) == 0o700
    with pytest.raises(ValueError):
        store.path("../etc/passwd")


def test_every_file_is_fsynced_before_it_gets_its_name(tmp_path: Path) -> None:
    store = AttachmentStore(tmp_path / "att")
    events: list[str] = []

    def fsync(fd: int) -> None:
        events.append("fsync " + ",".join(sorted(p.name[-4:] for p in store.dir.iterdir())))
        os.fsync(fd)

    store.fsync = fsync
    store.release(store.write_many([b"a" * 10, b"b" * 10]))
    # at each fsync the file is still a temp file: the final name appears only afterwards
    assert all(".tmp" in e for e in events) and len(events) == 2


def test_a_failed_batch_removes_the_files_it_created(tmp_path: Path) -> None:
    store = AttachmentStore(tmp_path / "att")
    kept = store.write_many([b"kept"])
    store.release(kept)
    calls = {"n": 0}

    def third_fails(fd: int, data: bytes) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(28, "No space left on device")
        os.write(fd, data)

    store.write_all = third_fails
    with pytest.raises(StorageError):
        store.write_many([b"one", b"two", b"three"])
    assert [p.name for p in store.dir.iterdir()] == kept


def test_sweep_removes_temp_and_unreferenced_files_but_not_live_or_in_flight_ones(
        tmp_path: Path) -> None:
    store = AttachmentStore(tmp_path / "att")
    live = store.write_many([b"live"])
    store.release(live)
    orphan = store.write_many([b"orphan"])
    store.release(orphan)
    in_flight = store.write_many([b"being committed right now"])
    tmp = store.dir / f".{'a' * 64}.0badc0de.tmp"
    tmp.write_bytes(b"half a scan")
    foreign = store.dir / "README"
    foreign.write_text("not ours")
    assert store.sweep(lambda: set(live)) == 2
    assert sorted(p.name for p in store.dir.iterdir()) == sorted(
        [*live, *in_flight, "README"])
    store.discard(in_flight)
    assert sorted(p.name for p in store.dir.iterdir()) == sorted([*live, "README"])


def test_a_crash_between_file_write_and_commit_leaves_an_orphan_the_next_open_sweeps(
        open_outbox: OpenOutbox, draft: Callable[..., ApplicationDraft],
        monkeypatch: pytest.MonkeyPatch) -> None:
    ob = open_outbox()
    kept = ob.submit_application(draft(0))

    def crash(self: UnitOfWork) -> None:
        raise SystemExit("power cut")  # the process dies before COMMIT

    monkeypatch.setattr(UnitOfWork, "commit", crash)
    with pytest.raises(SystemExit):
        ob.submit_application(draft(1, scans=2))
    monkeypatch.undo()
    ob.close()
    # leave an orphan the way a real crash would (the except path above could not run)
    orphan = ob.attachments.dir / sha256_hex(b"orphan from a killed process")
    orphan.write_bytes(b"orphan from a killed process")
    (ob.attachments.dir / f".{'b' * 64}.1234abcd.tmp").write_bytes(b"torn")
    ob2 = open_outbox()
    assert ob2.open_report.swept_orphans == 2
    assert sorted(p.name for p in ob2.attachments.dir.iterdir()) == sorted(kept.attachments)


def test_an_ambiguous_commit_failure_leaves_the_files_for_the_sweep_to_decide(
        outbox: Outbox, draft: Callable[..., ApplicationDraft],
        monkeypatch: pytest.MonkeyPatch) -> None:
    def io_error(self: UnitOfWork) -> None:
        self.commit_attempted = True
        raise StorageError("sqlite: disk I/O error", user_message="io")

    monkeypatch.setattr(UnitOfWork, "commit", io_error)
    with pytest.raises(StorageError):
        outbox.submit_application(draft())
    monkeypatch.undo()
    # the COMMIT may have reached the WAL: the files stay until a sweep checks the rows
    assert len(list(outbox.attachments.dir.iterdir())) == 1
    assert outbox.sweep_orphans() == 1
    assert list(outbox.attachments.dir.iterdir()) == []
