"""The kiosk-wide audit log on a real queue file: chained, append-only, tamper-evident,
one outbox event per entry (delivery to the platform: tests/integration/test_maintenance.py)."""

from __future__ import annotations

import itertools
import json
import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from kiosk.crypto import canonical_json, sha256_hex
from kiosk.errors import ValidationError
from sync.audit import GENESIS_HASH, AuditLog, entry_hash
from sync.outbox import Outbox
from tests.sync.conftest import OpenOutbox


def db_file(tmp_path: Path) -> Path:
    return tmp_path / "data" / "kiosk.sqlite3"


def fill(log: AuditLog, n: int) -> list[str]:
    return [log.record(f"staff:{i % 3}", "reprint" if i % 2 else "retry_dead_letters",
                       {"receipt_no": f"DEMO0001-20261122-{i:06d}-3", "n": i})
            for i in range(1, n + 1)]


def test_chain_builds_and_survives_reopen(open_outbox: OpenOutbox, tmp_path: Path) -> None:
    ob = open_outbox()
    log = AuditLog(ob)
    fill(log, 5)
    entries = list(reversed(log.entries(limit=100)))
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert entries[0].prev_hash == GENESIS_HASH
    for before, after in itertools.pairwise(entries):
        assert after.prev_hash == before.hash
    for e in entries:
        assert e.hash == entry_hash(e.seq, e.at, e.actor, e.action, e.detail, e.prev_hash)
        # the documented recipe, computed independently
        assert e.hash == sha256_hex(canonical_json(
            {k: v for k, v in e.body().items() if k != "hash"}))
    ob.close()

    ob2 = open_outbox()
    log2 = AuditLog(ob2)
    assert log2.verify().ok and log2.head() == (5, entries[-1].hash)
    log2.record("staff:9", "export", {"items": 3})
    report = log2.verify()
    assert report.ok and report.checked == 6 and report.last_seq == 6
    newest = log2.entries(limit=1)[0]
    assert newest.seq == 6 and newest.prev_hash == entries[-1].hash


def test_entries_filter_and_page_newest_first(outbox: Outbox) -> None:
    log = AuditLog(outbox)
    fill(log, 7)
    assert [e.seq for e in log.entries(limit=3)] == [7, 6, 5]
    assert [e.seq for e in log.entries(limit=3, offset=3)] == [4, 3, 2]
    assert [e.seq for e in log.entries(action="reprint")] == [7, 5, 3, 1]
    assert [e.seq for e in log.entries(actor="staff:0")] == [6, 3]
    assert log.count() == 7 and log.count(action="reprint") == 4


def test_each_entry_is_one_audit_event_in_the_same_transaction(outbox: Outbox) -> None:
    log = AuditLog(outbox)
    keys = fill(log, 3)
    items = [i for i in outbox.due(limit=100) if i.kind == "audit"]
    assert [i.key for i in items] == keys
    bodies = [json.loads(i.payload)["body"] for i in items]
    assert bodies == [e.body() for e in reversed(log.entries())]
    # a refused entry (personal data) leaves neither a row nor an event
    with pytest.raises(ValidationError):
        log.record("staff:1", "reprint", {"phone": "13812345678"})
    assert log.count() == 3 and len(outbox.due(limit=100)) == 3


@pytest.mark.parametrize("detail", [
    {"name": "张三丰"},
    {"id": "11010519491231002X"},
    {"phone": "13812345678"},
    {"nested": {"card": "6222021234567890123"}},
    {"list": ["ok", "欧阳娜娜"]},
    {"bad key": 1},
])
def test_personal_data_is_refused(outbox: Outbox, detail: dict[str, object]) -> None:
    with pytest.raises(ValidationError) as exc:
        AuditLog(outbox).record("staff:1", "reprint", detail)
    assert exc.value.user_message == "审计记录不得包含个人信息" or exc.value.field == "detail"


def test_codes_hashes_and_masked_values_are_allowed(outbox: Outbox) -> None:
    AuditLog(outbox).record("staff:0421", "export", {
        "bundle_sha256": "9" * 64, "key": "4a0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b",
        "masked_id": "110***********002X", "masked_name": "张*", "items": 12,
        "case_no": "520100-QR00107002-20261122-000123", "ok": True, "ratio": 0.5,
        "codes": ["QR00107002", None]})


def test_triggers_refuse_update_and_delete(outbox: Outbox) -> None:
    log = AuditLog(outbox)
    fill(log, 2)
    for sql in ("UPDATE audit_log SET actor = 'x' WHERE seq = 1",
                "DELETE FROM audit_log WHERE seq = 2"):
        with pytest.raises(DBAPIError, match="append-only"), outbox.db.write() as uow:
            uow.session.execute(text(sql))
            uow.commit()
    assert log.verify().ok and log.count() == 2


def _tamper(path: Path, *sql: str) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("DROP TRIGGER audit_log_no_update")
        conn.execute("DROP TRIGGER audit_log_no_delete")
        for statement in sql:
            conn.execute(statement)
    finally:
        conn.close()


def test_edited_entry_on_disk_is_named(open_outbox: OpenOutbox, tmp_path: Path) -> None:
    ob = open_outbox()
    fill(AuditLog(ob), 6)
    ob.close()
    _tamper(db_file(tmp_path), "UPDATE audit_log SET detail = '{\"n\":99}' WHERE seq = 4")
    report = AuditLog(open_outbox()).verify()
    assert not report.ok and report.bad_seq == 4 and report.problem == "hash_mismatch"
    assert report.checked == 3 and "第 4 条" in report.message_zh


def test_rehashed_edit_breaks_the_chain_at_the_next_entry(open_outbox: OpenOutbox,
                                                          tmp_path: Path) -> None:
    ob = open_outbox()
    log = AuditLog(ob)
    fill(log, 4)
    e2 = next(e for e in log.entries() if e.seq == 2)
    ob.close()
    forged = entry_hash(2, e2.at, "staff:evil", e2.action, e2.detail, e2.prev_hash)
    _tamper(db_file(tmp_path),
            f"UPDATE audit_log SET actor = 'staff:evil', hash = '{forged}' WHERE seq = 2")
    report = AuditLog(open_outbox()).verify()
    assert not report.ok and report.bad_seq == 3 and report.problem == "chain_broken"


@pytest.mark.parametrize("victim", [3, 5])
def test_deleted_entry_is_detected_as_a_gap(open_outbox: OpenOutbox, tmp_path: Path,
                                            victim: int) -> None:
    ob = open_outbox()
    fill(AuditLog(ob), 5)
    ob.close()
    _tamper(db_file(tmp_path), f"DELETE FROM audit_log WHERE seq = {victim}")
    ob2 = open_outbox()
    log = AuditLog(ob2)
    report = log.verify()
    assert not report.ok and report.problem == "gap" and report.bad_seq == victim
    # a new entry does not reuse the deleted number, so the gap stays visible
    log.record("staff:1", "reprint", {"n": 6})
    assert log.head()[0] == 6 and log.verify().bad_seq == victim


def test_concurrent_writers_keep_one_chain(outbox: Outbox) -> None:
    log = AuditLog(outbox)
    errors: list[BaseException] = []

    def work(t: int) -> None:
        try:
            for i in range(10):
                log.record(f"staff:{t}", "reprint", {"n": i})
        except BaseException as err:  # pragma: no cover - reported below
            errors.append(err)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    report = log.verify()
    assert report.ok and report.checked == 40


def test_read_only_log_on_a_database_verifies(open_outbox: OpenOutbox) -> None:
    ob = open_outbox()
    fill(AuditLog(ob), 2)
    reader = AuditLog(ob.db)
    assert reader.verify().ok and reader.count() == 2
    with pytest.raises(ValidationError):
        reader.record("staff:1", "reprint", {})

