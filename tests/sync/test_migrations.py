"""Schema evolution: a queue written by the 0001 code opens with the current code, upgraded
in place, every item intact."""

from __future__ import annotations

import json
import os
import sqlite3
import uuid
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine

from kiosk.crypto import (
    EncryptionKeyPair,
    canonical_json,
    open_attachment,
    open_sealed,
    seal,
    seal_attachment,
    sha256_hex,
    unwrap_data_key,
)
from kiosk.errors import StorageError
from sync import receipts
from sync.db import Database, head_revision, upgrade_file
from sync.models import Base, ItemState

from .conftest import T0, OpenOutbox, make_draft


def write_0001_queue(db: Path, att: Path, platform: EncryptionKeyPair) -> dict[str, dict]:
    """Rows exactly as the revision-0001 code stored them (no history, no client_ref)."""
    assert upgrade_file(db, "0001") == "0001"
    att.mkdir(parents=True)
    items: dict[str, dict] = {}
    conn = sqlite3.connect(db)
    for n, (state, attempts, nxt, err, delivered) in enumerate([
            ("pending", 0, None, None, None),
            ("retry_scheduled", 2, T0 + 120, "HTTP 503", None),
            ("dead_letter", 5, None, "conflict", None),
            ("submitted", 1, None, None, T0 - 10)], start=1):
        key = str(uuid.uuid4())
        number = receipts.format_number("DEMO0001", "20261122", n)
        sealed = seal(canonical_json({"applicant": {"name": "张三丰"}, "n": n}),
                      platform.public_b64(), aad=key.encode())
        blob = seal_attachment(f"scan {n}".encode(), sealed.data_key)
        sha = sha256_hex(blob)
        item = {"idempotency_key": key, "provisional_no": number, "service_code": "QR00107002",
                "catalogue_version": "2026.10.1", "created_at": "2026-11-22T11:00:00+08:00",
                "channel": {"kind": "self_service"}, "attachments": [sha],
                "envelope": sealed.envelope,
                "meta": {"masked_name": "张**", "masked_id": "110***********002X",
                         "materials": [{"material_id": "m1", "trust_level": "C",
                                        "attachment": sha}], "face": "not_required"}}
        payload = canonical_json(item)
        purged = delivered is not None
        if not purged:
            (att / sha).write_bytes(blob)
        conn.execute(
            "INSERT INTO outbox (key, kind, state, payload, payload_sha256, payload_size,"
            " attachments_bytes, created_at, updated_at, attempts, next_attempt_at, last_error,"
            " delivered_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (key, "application", "submitted" if purged else state,
             None if purged else payload, sha256_hex(payload), len(payload), len(blob),
             T0 - 100 + n, T0 - 50 + n, attempts, nxt, err, delivered))
        conn.execute(
            "INSERT INTO applications VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (key, number, "CASE-4" if purged else None, "QR00107002", "居住证签注",
             "2026.10.1", "self_service", None, "张**", "110***********002X",
             "not_required", 1, state, "旧版本记录", None, T0 - 100 + n, T0 - 50 + n,
             delivered))
        conn.execute("INSERT INTO attachments VALUES (?,?,?,?,?,?,?,?)",
                     (sha, key, "m1", len(blob), 0, False, T0 - 100 + n, delivered))
        items[key] = {"payload": payload, "number": number, "state": state, "sha": sha,
                      "blob": blob, "attempts": attempts, "next": nxt}
    event_key = str(uuid.uuid4())
    event = canonical_json({"idempotency_key": event_key, "kind": "rating",
                            "created_at": "2026-11-22T11:00:00+08:00", "body": {"level": 5}})
    conn.execute(
        "INSERT INTO outbox (key, kind, state, payload, payload_sha256, payload_size,"
        " attachments_bytes, created_at, updated_at, attempts) VALUES (?,?,?,?,?,?,?,?,?,?)",
        (event_key, "rating", "pending", event, sha256_hex(event), len(event), 0, T0, T0, 0))
    items[event_key] = {"payload": event, "state": "pending", "attempts": 0, "next": None}
    conn.execute("INSERT INTO counters VALUES ('receipt:20261122', 4)")
    conn.execute("INSERT INTO settings VALUES ('status_cursor', '17')")
    conn.commit()
    conn.close()
    return items


def test_a_0001_queue_opens_at_head_with_every_item_intact(
        tmp_path: Path, open_outbox: OpenOutbox, platform_keys: EncryptionKeyPair) -> None:
    db, att = tmp_path / "data" / "kiosk.sqlite3", tmp_path / "data" / "attachments"
    old = write_0001_queue(db, att, platform_keys)

    ob = open_outbox()
    report = ob.open_report
    assert (report.upgraded_from, report.schema_revision) == ("0001", head_revision())
    assert report.quarantined_path is None and report.swept_orphans == 0
    with sqlite3.connect(db) as conn:
        version = conn.execute("SELECT version_num FROM alembic_version").fetchall()
        assert version == [(head_revision(),)]
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)

    # the worker sees the same bytes, in the same order, with the same backoff state
    due = ob.due(now=T0 + 1000, limit=100)
    expected = [k for k, v in old.items() if v["state"] in ("pending", "retry_scheduled")]
    assert [d.key for d in due] == expected
    for d in due:
        assert d.payload == old[d.key]["payload"]
        assert d.attempts == old[d.key]["attempts"]
    assert [d.key for d in ob.due(now=T0 + 60)] == expected[:1] + expected[2:]  # backoff kept

    # every application answers 办件查询, with a back-filled history entry
    for key, v in old.items():
        if "number" not in v:
            continue
        view = ob.lookup(v["number"])
        assert view is not None and view.key == key
        assert view.state is ItemState(v["state"])
        assert view.history[0].detail == "backfilled by migration 0002"
        assert view.history[0].to_state is ItemState(v["state"])
        if v["state"] != "submitted":  # undelivered: the platform can still open it all
            item = json.loads(v["payload"])
            aad = key.encode()
            data_key = unwrap_data_key(item["envelope"], platform_keys, aad=aad)
            assert open_attachment(ob.read_attachment_chunk(v["sha"], 0, 1 << 20),
                                   data_key) == open_attachment(v["blob"], data_key)
            sealed = json.loads(open_sealed(item["envelope"], platform_keys, aad=aad))
            assert sealed["applicant"]["name"] == "张三丰"
    assert ob.lookup("CASE-4") is not None
    assert ob.get_cursor() == 17

    # new features work on the upgraded file; numbering continues after the old counter
    r = ob.submit_application(make_draft(), client_ref="after-upgrade")
    assert r.provisional_no.split("-")[2] == "000005"
    assert ob.submit_application(make_draft(), client_ref="after-upgrade").resubmitted
    with sqlite3.connect(db) as conn, pytest.raises(sqlite3.IntegrityError):
        conn.execute("UPDATE outbox SET payload = x'01' WHERE key = ?", (expected[0],))


def test_models_match_the_schema_the_migrations_build(tmp_path: Path) -> None:
    db = tmp_path / "q.sqlite3"
    upgrade_file(db)
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == []


def test_a_database_from_newer_software_is_refused_not_damaged(tmp_path: Path) -> None:
    db = tmp_path / "q.sqlite3"
    upgrade_file(db)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0099'")
    before = db.read_bytes()
    with pytest.raises(StorageError) as err:
        Database.open(db)
    assert "版本" in err.value.user_message
    assert db.read_bytes() == before
    assert os.path.exists(db) and not (tmp_path / "quarantine").exists()


def test_every_revision_upgrades_from_an_empty_file_and_downgrades_back(
        tmp_path: Path) -> None:
    from alembic import command

    from sync.db import alembic_config

    db = tmp_path / "q.sqlite3"
    upgrade_file(db)
    engine = create_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0001")
    with engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == "0001"
    engine.dispose()
    assert upgrade_file(db) == head_revision()


def test_the_known_head_is_alembic_s_head() -> None:
    from sync.db import HEAD_REVISION

    assert head_revision() == HEAD_REVISION  # a new revision must update sync.db


def test_a_queue_at_head_opens_without_importing_alembic(tmp_path: Path) -> None:
    """Alembic costs ≈ 15 MB resident for the life of the kiosk; it is loaded only when a
    queue needs upgrading (a new file, an older schema)."""
    import subprocess
    import sys

    db = tmp_path / "q.sqlite3"
    probe = ("import sys; from sync.db import Database; d = Database.open(sys.argv[1]); "
             "print(d.open_report.schema_revision if hasattr(d, 'open_report') else '', "
             "'alembic' in sys.modules); d.close()")
    root = Path(__file__).resolve().parents[2]
    runs = [subprocess.run([sys.executable, "-c", probe, str(db)], capture_output=True,
                           text=True, check=True, cwd=root, timeout=60).stdout.split()
            for _ in range(2)]
    assert runs[0][-1] == "True"  # a new file: created through the migrations
    assert runs[1][-1] == "False"  # at head: no Alembic
