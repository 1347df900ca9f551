"""The database: pragmas, one writer connection, one owner process, integrity check and
quarantine at open."""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import event

from kiosk.errors import StorageError
from sync.db import Database, head_revision, integrity_check
from sync.outbox import ApplicationDraft, Outbox

from .conftest import OpenOutbox


def test_connection_runs_wal_full_with_foreign_keys_and_a_busy_timeout(outbox: Outbox) -> None:
    db = outbox.db
    assert db.pragma("journal_mode") == "wal"
    assert db.pragma("synchronous") == 2  # FULL
    assert db.pragma("foreign_keys") == 1
    assert db.pragma("busy_timeout") == 5000
    assert db.pragma("secure_delete") == 1
    assert stat.S_IMODE(db.path.stat().st_mode) == 0o600


def test_all_work_goes_through_one_connection_and_writes_begin_immediate(
        outbox: Outbox, draft: Callable[..., ApplicationDraft]) -> None:
    statements: list[str] = []
    dbapi_connections: set[int] = set()

    @event.listens_for(outbox.db.engine, "before_cursor_execute")
    def spy(conn, cursor, statement, *args):
        words = [*statement.split(), ""]
        statements.append(f"{words[0]} {words[1]}")
        dbapi_connections.add(id(conn.connection.dbapi_connection))

    receipt = outbox.submit_application(draft())
    outbox.due()
    outbox.mark_sending([receipt.key])
    outbox.lookup(receipt.provisional_no)
    event.remove(outbox.db.engine, "before_cursor_execute", spy)
    assert len(dbapi_connections) == 1
    assert outbox.db.engine.pool.status().startswith("StaticPool")
    assert statements.count("BEGIN IMMEDIATE") == 2  # submit, mark_sending
    assert "BEGIN DEFERRED" in statements  # reads do not take the write lock


def test_a_second_owner_of_the_same_queue_is_refused(open_outbox: OpenOutbox) -> None:
    open_outbox()
    with pytest.raises(StorageError) as err:
        open_outbox()
    assert "另一程序" in err.value.user_message


def test_a_database_with_a_destroyed_header_is_quarantined_not_lost(
        open_outbox: OpenOutbox, draft: Callable[..., ApplicationDraft],
        caplog: pytest.LogCaptureFixture) -> None:
    ob = open_outbox()
    old = ob.submit_application(draft(0))
    ob.close()
    path = ob.db.path
    with open(path, "r+b") as fh:
        fh.write(os.urandom(4096))  # the whole first page, including "SQLite format 3"
    damaged = path.read_bytes()
    with caplog.at_level(logging.ERROR, logger="sync.db"):
        ob = open_outbox()
    report = ob.open_report
    assert report.quarantined and report.quarantined_path is not None
    assert report.quarantined_path.parent == path.parent / "quarantine"
    assert (report.quarantined_path / path.name).read_bytes() == damaged  # kept byte for byte
    # the attachments only the quarantined database can explain are kept with it
    assert sorted(p.name for p in (report.quarantined_path / "attachments").iterdir()) == list(
        old.attachments)
    assert report.message_zh is not None and "隔离" in report.message_zh
    assert str(report.quarantined_path) in report.message_zh
    assert "not a database" in (report.detail or "")
    assert "integrity_check" in caplog.text
    # a fresh queue works, and its numbers cannot collide with the quarantined ones
    new = ob.submit_application(draft(1))
    assert new.provisional_no.split("-")[2] == "100001"
    assert ob.lookup(old.provisional_no) is None
    assert ob.open_report.schema_revision == head_revision()


def test_damage_inside_the_file_is_found_by_integrity_check(
        open_outbox: OpenOutbox, draft: Callable[..., ApplicationDraft]) -> None:
    ob = open_outbox()
    for i in range(40):
        ob.submit_application(draft(i, scans=0))
    ob.close()  # checkpointed: every page is in the main file
    path = ob.db.path
    pages = path.stat().st_size // 4096
    with open(path, "r+b") as fh:  # scribble over b-tree pages in the middle
        for page in range(pages // 2, pages // 2 + 3):
            fh.seek(page * 4096 + 8)
            fh.write(b"\xff" * 2000)
    ok, detail = integrity_check(path)
    assert not ok and detail
    reopened = open_outbox()
    assert reopened.open_report.quarantined_path is not None
    assert reopened.stats().undelivered == 0
    assert integrity_check(path) == (True, "ok")


def test_the_wal_and_shm_of_a_damaged_database_move_with_it(
        open_outbox: OpenOutbox, tmp_path: Path, draft: Callable[..., ApplicationDraft]) -> None:
    ob = open_outbox()
    ob.submit_application(draft(0, scans=0))
    ob.checkpoint(truncate=True)
    ob.set_cursor(5)  # a small write: the WAL holds one leaf page, not page 1
    crashed = tmp_path / "crashed"  # the files as a power cut leaves them
    crashed.mkdir()
    for suffix in ("", "-wal", "-shm"):
        shutil.copy(str(ob.db.path) + suffix, str(crashed / "kiosk.sqlite3") + suffix)
    ob.close()
    target = crashed / "kiosk.sqlite3"
    with open(target, "r+b") as fh:
        fh.write(b"garbage!" * 512)  # the first page, "SQLite format 3" included
    wal = (crashed / "kiosk.sqlite3-wal").read_bytes()
    reopened = open_outbox(db_path=target, attachments_dir=crashed / "att")
    q = reopened.open_report.quarantined_path
    assert q is not None
    assert sorted(p.name for p in q.iterdir() if p.is_file()) == [
        "kiosk.sqlite3", "kiosk.sqlite3-shm", "kiosk.sqlite3-wal"]
    assert (q / "kiosk.sqlite3-wal").read_bytes() == wal
    assert integrity_check(target) == (True, "ok")


def test_integrity_check_passes_a_healthy_queue(outbox: Outbox,
                                                draft: Callable[..., ApplicationDraft]) -> None:
    outbox.submit_application(draft())
    assert integrity_check(outbox.db.path) == (True, "ok")
    assert outbox.open_report.quarantined_path is None and outbox.open_report.message_zh is None


def test_an_unreadable_file_is_a_storage_error_not_a_quarantine(tmp_path: Path) -> None:
    (tmp_path / "dir.sqlite3").mkdir()  # a directory where the file should be
    with pytest.raises(StorageError):
        Database.open(tmp_path / "dir.sqlite3")
    assert not (tmp_path / "quarantine").exists()


def test_closed_queue_refuses_work(outbox: Outbox) -> None:
    outbox.close()
    outbox.close()  # idempotent
    with pytest.raises(StorageError):
        outbox.stats()
    assert sqlite3.connect(outbox.db.path).execute("PRAGMA integrity_check").fetchone() == (
        "ok",)
