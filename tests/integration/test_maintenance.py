"""Maintenance back-ends against the real reference platform on loopback: the audit log
delivered upstream exactly once; sneakernet export and import (sync/export.py,
refplatform/importer.py)."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from kiosk.bundle import BundleError
from kiosk.crypto import (
    SigningKeyPair,
    canonical_json,
    open_attachment,
    sha256_hex,
    unwrap_data_key,
)
from refplatform.app import PlatformState
from refplatform.importer import import_bundle
from sync.audit import GENESIS_HASH, AuditLog
from sync.export import ExportError, ExportResult, export_bundle
from sync.outbox import SubmitReceipt
from tests.integration.conftest import KIOSK, Rig, draft


def fill(log: AuditLog, n: int, start: int = 1) -> list[str]:
    return [log.record("staff:0421", "reprint", {"n": i}) for i in range(start, start + n)]


def test_platform_receives_every_entry_exactly_once(rig: Rig) -> None:
    log = AuditLog(rig.outbox)
    fill(log, 4)
    rig.drain()
    # a lost acknowledgement: the platform commits, the kiosk resends, nothing doubles
    rig.platform.inject("drop_after_commit", path_prefix="/api/v1/events", count=1)
    fill(log, 3, start=5)
    rig.drain()
    rig.drain()
    assert rig.platform.state.stats()["faults_applied"] == {"drop_after_commit": 1}
    received = rig.platform.state.events("audit")
    bodies = sorted((e["body"] for e in received), key=lambda b: b["seq"])
    assert [b["seq"] for b in bodies] == list(range(1, 8))
    assert len({e["idempotency_key"] for e in received}) == 7
    assert bodies == [e.body() for e in reversed(log.entries())]
    prev = GENESIS_HASH
    for b in bodies:  # the platform can verify the chain from the bodies alone
        assert b["prev_hash"] == prev
        assert b["hash"] == sha256_hex(canonical_json(
            {k: v for k, v in b.items() if k != "hash"}))
        prev = b["hash"]
    assert rig.outbox.stats().undelivered == 0


# -- sneakernet export / import -------------------------------------------------------------


def export(rig: Rig, target: Path, **kw: Any) -> ExportResult:
    kw.setdefault("signing_key", rig.key)
    kw.setdefault("audit", AuditLog(rig.outbox))
    return export_bundle(rig.outbox, target, actor="staff:0421",
                         platform_encryption_key=rig.platform.state.encryption_public_b64,
                         clock=rig.clock, **kw)


def queue_some(rig: Rig, n_apps: int = 3) -> tuple[list[SubmitReceipt], list[str]]:
    receipts = [rig.outbox.submit_application(draft(i, scans=2, size=30_000))
                for i in range(n_apps)]
    events = [rig.outbox.enqueue_event("help_request", {"screen": "form",
                                                        "service_code": "QR00107002",
                                                        "hall_name": "测试大厅"}),
              AuditLog(rig.outbox).record("staff:0421", "retry_dead_letters", {"requeued": 0})]
    return receipts, events


def platform_keys(rig: Rig) -> tuple[list[str], list[str]]:
    state = rig.platform.state
    return ([a["idempotency_key"] for a in state.applications(KIOSK)],
            [e["idempotency_key"] for e in state.events()])


def stored_nothing(rig: Rig) -> bool:
    counts = rig.platform.state.store.counts()
    atts = rig.platform.state.store.attachments_dir
    return (counts["applications"] == 0 and counts["events"] == 0
            and not any(atts.iterdir()))


def test_export_then_import_round_trip(rig: Rig, tmp_path: Path) -> None:
    receipts, events = queue_some(rig)
    usb = tmp_path / "usb"
    usb.mkdir()
    before = rig.outbox.stats()
    result = export(rig, usb)

    assert result.path.parent == usb and result.path.name.startswith(f"{KIOSK}-")
    assert result.path.suffix == ".kbundle" and [p.name for p in usb.iterdir()] == [
        result.path.name]  # no temporary file left
    assert sha256_hex(result.path.read_bytes()) == result.sha256
    assert (result.items, result.applications, result.events, result.attachments) == (
        5, 3, 2, 6)
    raw = result.path.read_bytes()
    for secret in ("张三丰".encode(), b"11010519491231002X", b"13812345678"):
        assert secret not in raw  # encrypted, not just signed
    # nothing left the queue; the export itself is audited without personal data
    after = rig.outbox.stats()
    assert after.depth.get("pending", 0) == before.depth.get("pending", 0) + 1
    (entry,) = AuditLog(rig.outbox).entries(action="export")
    assert entry.actor == "staff:0421" and entry.detail["bundle_sha256"] == result.sha256
    assert entry.detail["items"] == 5 and entry.detail["attachments"] == 6

    summary = import_bundle(rig.platform.state, result.path)
    assert (summary.items, summary.imported, summary.duplicates, summary.rejected) == (
        5, 5, 0, 0)
    assert summary.attachments_stored == 6 and summary.sha256 == result.sha256
    apps, evs = platform_keys(rig)
    assert sorted(apps) == sorted(r.key for r in receipts) and sorted(evs) == sorted(events)

    # attachments intact and decryptable by the platform only
    state = rig.platform.state
    for r in receipts:
        item = state.store.application_item(r.key)
        assert item is not None
        doc = json.loads(state.open_application(r.key) or b"{}")
        assert doc["applicant"]["name"] == "张三丰"
        data_key = unwrap_data_key(item["envelope"], state.encryption_key,
                                   aad=r.key.encode())
        for sha in item["attachments"]:
            blob = state.store.attachment_bytes(sha)
            assert blob is not None and sha256_hex(blob) == sha
            assert blob == rig.outbox.attachments.read(sha)
            assert len(open_attachment(blob, data_key)) == 30_000

    # the same bundle again adds nothing
    again = import_bundle(state, result.path)
    assert (again.imported, again.duplicates, again.rejected) == (0, 5, 0)
    assert platform_keys(rig) == (apps, evs)

    # the link returns: the worker delivers; "duplicate" is success; each item exactly once
    rig.drain()
    assert rig.outbox.stats().undelivered == 0
    apps2, evs2 = platform_keys(rig)
    assert sorted(apps2) == sorted(apps)
    assert len(evs2) == len(set(evs2)) == len(evs) + 1  # + the export's own audit event
    for r in receipts:
        view = rig.outbox.application(r.key)
        assert view is not None and view.state.value == "submitted" and view.case_no
        assert view.case_no == state.lookup(r.key)["case_no"]  # type: ignore[index]
    assert AuditLog(rig.outbox).verify().ok


def deliver_online(rig: Rig, keys: list[str]) -> None:
    """What the worker does for these items only: upload, POST, acknowledge."""
    due = {d.key: d for d in rig.outbox.due(limit=100)}
    for key in keys:
        item = due[key]
        for sha in item.pending_attachments:
            def read(offset: int, size: int, sha: str = sha) -> bytes:
                return rig.outbox.read_attachment_chunk(sha, offset, size)

            def progress(offset: int, sha: str = sha) -> None:
                rig.outbox.set_uploaded(sha, offset)

            rig.client.upload_attachment(sha, rig.outbox.attachment_state(sha).size, read,
                                         progress)
        (res,) = rig.client.submit_batch([item.payload])
        assert res.status == "accepted"
        rig.outbox.mark_delivered(key, case_no=res.case_no)


def test_bundle_partly_delivered_online_counts_duplicates(rig: Rig, tmp_path: Path) -> None:
    receipts, _ = queue_some(rig, n_apps=4)
    result = export(rig, tmp_path)
    deliver_online(rig, [receipts[0].key, receipts[2].key])
    summary = import_bundle(rig.platform.state, result.path)
    assert (summary.imported, summary.duplicates, summary.rejected) == (4, 2, 0)
    rig.drain()
    apps, evs = platform_keys(rig)
    assert sorted(apps) == sorted(r.key for r in receipts)
    assert len(evs) == len(set(evs)) == 3
    assert rig.outbox.stats().undelivered == 0


def test_same_key_with_other_payload_is_rejected_for_that_item(rig: Rig,
                                                               tmp_path: Path) -> None:
    _, events = queue_some(rig, n_apps=2)
    help_key = events[0]
    forged = canonical_json({"idempotency_key": help_key, "kind": "help_request",
                             "created_at": "2026-11-22T12:00:00+08:00",
                             "body": {"screen": "other"}})
    (res,) = rig.client.submit_events([forged])
    assert res.status == "accepted"
    result = export(rig, tmp_path)
    summary = import_bundle(rig.platform.state, result.path)
    assert (summary.imported, summary.duplicates, summary.rejected) == (3, 0, 1)
    assert summary.rejected_items == [{"key": help_key, "kind": "help_request",
                                       "status": "conflict",
                                       "error": "idempotency_key_reused"}]
    (stored,) = [e for e in rig.platform.state.events() if e["idempotency_key"] == help_key]
    assert stored["body"] == {"screen": "other"}


@pytest.mark.parametrize("where", ["header", "middle", "last_record", "signature"])
def test_tampered_bundle_is_rejected_and_nothing_stored(rig: Rig, tmp_path: Path,
                                                        where: str) -> None:
    queue_some(rig)
    result = export(rig, tmp_path)
    data = bytearray(result.path.read_bytes())
    pos = {"header": 40, "middle": len(data) // 2, "last_record": len(data) - 80,
           "signature": len(data) - 1}[where]
    data[pos] ^= 0x01
    bad = tmp_path / "tampered.kbundle"
    bad.write_bytes(bytes(data))
    with pytest.raises(BundleError) as exc:
        import_bundle(rig.platform.state, bad)
    assert exc.value.code in ("bad_signature", "malformed", "unknown_kiosk")
    assert stored_nothing(rig)
    assert import_bundle(rig.platform.state, result.path).imported == 5  # the original


def test_bundle_signed_with_another_key_is_rejected(rig: Rig, tmp_path: Path) -> None:
    queue_some(rig)
    result = export(rig, tmp_path, signing_key=SigningKeyPair.generate())
    with pytest.raises(BundleError) as exc:
        import_bundle(rig.platform.state, result.path)
    assert exc.value.code == "bad_signature"
    assert stored_nothing(rig)


def test_bundle_of_an_unknown_or_revoked_kiosk_is_rejected(rig: Rig, tmp_path: Path,
                                                            ) -> None:
    queue_some(rig)
    result = export(rig, tmp_path)
    rig.platform.state.revoke_kiosk(KIOSK)
    with pytest.raises(BundleError) as exc:
        import_bundle(rig.platform.state, result.path)
    assert exc.value.code == "unknown_kiosk"
    assert stored_nothing(rig)


def test_bundle_for_another_platform_does_not_open(rig: Rig, tmp_path: Path) -> None:
    queue_some(rig)
    result = export(rig, tmp_path)
    other = PlatformState(tmp_path / "other-platform")
    try:
        other.store.enroll(kiosk_id=KIOSK, region_code="520100", hall_name="测试大厅",
                           public_key=rig.key.public_b64(),
                           token=other.mint_enrollment_token(), now=rig.clock())
        with pytest.raises(BundleError) as exc:
            import_bundle(other, result.path)
        assert exc.value.code == "undecryptable"
        assert other.store.counts()["applications"] == 0
    finally:
        other.close()


def assert_queue_intact(rig: Rig, before: Any, target: Path) -> None:
    assert rig.outbox.stats().depth == before.depth
    assert AuditLog(rig.outbox).entries(action="export") == []
    leftovers = [p.name for p in target.iterdir()] if target.is_dir() else []
    assert leftovers == []


def test_missing_target_is_a_clear_error(rig: Rig, tmp_path: Path) -> None:
    queue_some(rig)
    before = rig.outbox.stats()
    with pytest.raises(ExportError) as exc:
        export(rig, tmp_path / "no-drive")
    assert exc.value.code == "target_missing" and "U盘" in exc.value.user_message
    assert_queue_intact(rig, before, tmp_path / "no-drive")


@pytest.fixture
def tiny_mount(tmp_path: Path) -> Iterator[Callable[[str], Path]]:
    """A real small tmpfs mounted by the test (as on a removable drive)."""
    mounted: list[Path] = []

    def mount(options: str) -> Path:
        point = tmp_path / f"mnt{len(mounted)}"
        point.mkdir()
        subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(point)],
                       check=True, capture_output=True)
        mounted.append(point)
        return point

    yield mount
    for point in mounted:
        subprocess.run(["umount", str(point)], check=False, capture_output=True)


def test_read_only_target_is_a_clear_error(rig: Rig, tiny_mount: Callable[[str], Path],
                                           ) -> None:
    queue_some(rig)
    before = rig.outbox.stats()
    target = tiny_mount("ro,size=4m")
    with pytest.raises(ExportError) as exc:
        export(rig, target)
    assert exc.value.code == "target_not_writable" and "无法写入" in exc.value.user_message
    assert_queue_intact(rig, before, target)


def test_too_small_target_is_refused_before_writing(rig: Rig,
                                                    tiny_mount: Callable[[str], Path]) -> None:
    queue_some(rig)  # ~180 KB of scans
    before = rig.outbox.stats()
    target = tiny_mount("size=64k")
    with pytest.raises(ExportError) as exc:
        export(rig, target)
    assert exc.value.code == "target_too_small" and "空间不足" in exc.value.user_message
    assert_queue_intact(rig, before, target)


def test_disk_filling_during_the_write_leaves_nothing(rig: Rig,
                                                      tiny_mount: Callable[[str], Path],
                                                      ) -> None:
    queue_some(rig)
    before = rig.outbox.stats()
    target = tiny_mount("size=64k")

    def lying_statvfs(path: str) -> os.statvfs_result:
        real = os.statvfs(path)
        fields = list(real)
        fields[4] = (1 << 30) // real.f_frsize  # f_bavail: "plenty"
        return os.statvfs_result(fields)

    with pytest.raises(ExportError) as exc:
        export(rig, target, statvfs=lying_statvfs)
    # past the pre-check: the write itself met ENOSPC
    assert exc.value.code == "target_too_small" and "No space left" in exc.value.detail
    assert_queue_intact(rig, before, target)


def test_nothing_to_export(rig: Rig, tmp_path: Path) -> None:
    with pytest.raises(ExportError) as exc:
        export(rig, tmp_path)
    assert exc.value.code == "nothing_to_export" and "无需导出" in exc.value.user_message
    assert not list(tmp_path.glob("*.kbundle")) and not list(tmp_path.glob(".*.part"))


def test_admin_http_import(rig: Rig, tmp_path: Path) -> None:
    # larger than the API's 4 MiB request limit: the admin route allows bundles up to 256 MiB
    receipts = [rig.outbox.submit_application(draft(i, scans=3, size=600_000))
                for i in range(3)]
    result = export(rig, tmp_path)
    assert result.size > 4 << 20
    url = f"{rig.platform.url}/admin/import"
    with requests.Session() as admin:
        admin.headers["X-Admin-Token"] = rig.platform.admin_token
        bad = bytearray(result.path.read_bytes())
        bad[-10] ^= 0x01
        refused = admin.post(url, data=bytes(bad), timeout=30)
        assert refused.status_code == 422 and refused.json()["error"] == "bad_signature"
        assert stored_nothing(rig)
        ok = admin.post(url, data=result.path.read_bytes(), timeout=30)
        assert ok.status_code == 200, ok.text
        assert (ok.json()["imported"], ok.json()["attachments_stored"]) == (3, 9)
        assert admin.post(url, data=b"", headers={"X-Admin-Token": "wrong"},
                          timeout=10).status_code == 401
    assert sorted(platform_keys(rig)[0]) == sorted(r.key for r in receipts)
