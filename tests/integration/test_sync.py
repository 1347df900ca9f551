"""Exactly-once delivery through the real client and worker to the reference platform."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from sync.models import ItemState
from sync.worker import Link
from tests.integration.conftest import Rig, draft


def platform_keys(rig: Rig) -> Counter[str]:
    return Counter(a["idempotency_key"] for a in rig.platform.state.applications())


def test_online_submission_is_delivered_once_with_a_case_number(rig: Rig) -> None:
    receipts = [rig.outbox.submit_application(draft(i, scans=3)) for i in range(3)]
    report = rig.worker.run_once()
    assert report.delivered == 3 and report.error is None
    assert platform_keys(rig) == Counter({r.key: 1 for r in receipts})
    for r in receipts:
        view = rig.outbox.lookup(r.provisional_no)
        assert view is not None and view.state == ItemState.SUBMITTED and view.case_no
        assert view.purged  # personal data gone once the platform acknowledged
        assert rig.outbox.lookup(view.case_no) is not None
        # the platform can open what the kiosk sealed
        opened = rig.platform.state.open_application(r.provisional_no)
        assert opened is not None and "张三丰".encode() in opened
    assert rig.worker.status.link == Link.UP


@pytest.mark.parametrize("fault", ["drop_after_commit", "reset", "truncated", "error_500",
                                   "unavailable_503", "too_many_429"])
def test_faults_end_with_every_item_accepted_exactly_once(rig: Rig, fault: str) -> None:
    receipts = [rig.outbox.submit_application(draft(i)) for i in range(12)]
    rig.outbox.enqueue_event("help_request", {"screen": "form", "service_code": "QR00107002",
                                              "hall_name": "测试大厅"})
    rig.platform.inject(fault, path_prefix="/api/v1/applications", probability=0.5, count=8)
    rig.platform.inject(fault, path_prefix="/api/v1/attachments", probability=0.3, count=4)
    rig.drain()
    keys = platform_keys(rig)
    assert keys == Counter({r.key: 1 for r in receipts})
    assert all(rig.outbox.lookup(r.provisional_no).state == ItemState.SUBMITTED  # type: ignore[union-attr]
               for r in receipts)
    assert len(rig.platform.state.events("help_request")) == 1


def test_lost_acknowledgement_is_resent_and_counted_as_duplicate(rig: Rig) -> None:
    r = rig.outbox.submit_application(draft(1))
    rig.platform.inject("drop_after_commit", path_prefix="/api/v1/applications", count=1)
    first = rig.worker.run_once()
    assert first.delivered == 0 and first.retried == 1
    assert rig.worker.status.link == Link.DOWN
    assert platform_keys(rig)[r.key] == 1  # committed although we never heard back
    rig.drain()
    assert platform_keys(rig)[r.key] == 1
    assert rig.outbox.lookup(r.provisional_no).case_no  # type: ignore[union-attr]


def test_retry_after_is_a_floor_for_the_next_attempt(rig: Rig) -> None:
    r = rig.outbox.submit_application(draft(1, scans=0))
    rig.platform.inject("unavailable_503", path_prefix="/api/v1/applications", count=1,
                        retry_after_s=120)
    rig.worker.run_once()
    view = rig.outbox.application(r.key)
    assert view is not None and view.attempts == 1
    next_at = rig.outbox.next_due_at(rig.clock())
    assert next_at is not None and next_at >= rig.clock() + 120


def test_revoked_kiosk_pauses_sync_without_losing_or_dead_lettering(rig: Rig) -> None:
    r = rig.outbox.submit_application(draft(1, scans=0))
    assert rig.platform.state.revoke_kiosk("GY0101A001")
    report = rig.worker.run_once()
    assert report.delivered == 0
    assert rig.worker.status.link == Link.AUTH_FAILED
    assert rig.worker.run_once().error is not None  # paused: no hammering
    view = rig.outbox.application(r.key)
    assert view is not None and view.state != ItemState.DEAD_LETTER
    assert platform_keys(rig)[r.key] == 0


def test_kiosk_clock_years_off_still_delivers_in_order(rig: Rig) -> None:
    rig.client._clock = lambda: 2_500_000_000.0  # the RTC battery died: 2049
    receipts = [rig.outbox.submit_application(draft(i, scans=0)) for i in range(5)]
    rig.clock.t -= 10 * 365 * 86400  # and the queue's clock went back ten years
    receipts += [rig.outbox.submit_application(draft(i, scans=0)) for i in range(5, 8)]
    rig.drain()
    assert platform_keys(rig) == Counter({r.key: 1 for r in receipts})
    assert abs(rig.client.clock_offset_s) > 365 * 86400
    sent_order = [a["provisional_no"] for a in rig.platform.state.applications()]
    assert sent_order == [r.provisional_no for r in receipts]


def test_status_updates_reach_the_local_record(rig: Rig) -> None:
    r = rig.outbox.submit_application(draft(1, scans=0))
    rig.worker.run_once()
    case_no = rig.outbox.lookup(r.provisional_no).case_no  # type: ignore[union-attr]
    rig.platform.state.set_application_state(case_no, "needs_correction",
                                             reason="请补充迁入地落户依据材料")
    report = rig.worker.run_once(pull_status=True)
    assert report.status_updates >= 1
    view = rig.outbox.lookup(r.provisional_no)
    assert view is not None and view.state == ItemState.NEEDS_CORRECTION
    assert view.reason_zh == "请补充迁入地落户依据材料"


def test_key_reused_with_different_payload_is_dead_lettered(rig: Rig) -> None:
    r = rig.outbox.submit_application(draft(1, scans=0))
    rig.worker.run_once()
    # forge a second item with the same key but another payload, as a buggy or
    # tampered kiosk would; the platform must answer conflict, never overwrite
    results = rig.client.submit_batch([json.dumps({
        "idempotency_key": r.key, "provisional_no": r.provisional_no,
        "service_code": "QR00107002", "catalogue_version": "x", "created_at": "x",
        "channel": {"kind": "self_service"}, "attachments": [], "envelope": {"v": 1},
        "meta": {}}).encode()])
    assert results[0].status == "conflict"
    assert platform_keys(rig)[r.key] == 1


def test_catalogue_refresh_verifies_and_keeps_the_last_good(rig: Rig, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from sync.catalogue_sync import CatalogueCache

    keys_pub = rig.platform.state.signing_public_b64
    cache = CatalogueCache(tmp_path / "cat", keys_pub)
    assert cache.age_hours() is None  # bundled, never confirmed
    first = cache.refresh(rig.client)
    assert first.outcome == "updated" and cache.age_hours() is not None
    assert cache.refresh(rig.client).outcome == "unchanged"  # ETag → 304

    doc = json.loads((tmp_path / "cat" / "catalogue.json").read_text(encoding="utf-8"))
    doc["version"] = "2026.12.1"
    new = json.dumps(doc, ensure_ascii=False).encode()
    rig.platform.state.publish_catalogue(new, bad_signature=True)
    bad = cache.refresh(rig.client)
    assert bad.outcome == "rejected" and cache.catalogue.version == first.version

    rig.platform.state.publish_catalogue(new)
    seen: list[str] = []
    cache.add_listener(lambda c: seen.append(c.version))
    assert cache.refresh(rig.client).outcome == "updated"
    assert cache.catalogue.version == "2026.12.1" and seen == ["2026.12.1"]
    # a restart reads the verified copy back; an edited copy on disk is refused
    assert CatalogueCache(tmp_path / "cat", keys_pub).catalogue.version == "2026.12.1"
    path = tmp_path / "cat" / "catalogue.json"
    path.write_bytes(path.read_bytes().replace(b"2026.12.1", b"2026.12.9"))
    assert CatalogueCache(tmp_path / "cat", keys_pub).catalogue.version != "2026.12.9"


def test_periodic_tasks_run_with_the_pass(rig: Rig) -> None:
    from sync.worker import PeriodicTask

    calls: list[str] = []
    rig.worker.tasks = [
        PeriodicTask("heartbeat", 300, lambda: calls.append("hb") or rig.outbox.enqueue_event(
            "heartbeat", {"queue_depth": {}, "version": "test"}), needs_link=False),
        PeriodicTask("ping", 300, lambda: calls.append("ping") or rig.client.ping()),
    ]
    rig.worker.run_once()
    assert calls == ["hb", "ping"]
    assert len(rig.platform.state.events("heartbeat")) == 1
    rig.worker.run_once()
    assert calls == ["hb", "ping"]  # not due again yet


def test_key_reused_by_the_kiosk_ends_in_dead_letter_with_a_reason(rig: Rig, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from kiosk.config import OfflineLimits
    from sync.outbox import Outbox

    key = "7c1e1a0e-3f5b-4c1e-9a57-0b0c5a1f2d3e"
    rig.outbox.enqueue_event("rating", {"case_no": "X-1", "service_code": "QR00107002",
                                        "level": 5, "reasons": [],
                                        "channel": "self_service_terminal"}, key=key)
    rig.drain()
    # the kiosk's disk was restored from an old image: its fresh queue reuses the key
    # for a different rating; the platform must refuse, the kiosk must stop and say why
    enr_key = rig.platform.state.encryption_public_b64
    with Outbox.open(tmp_path / "restored" / "q.sqlite3", tmp_path / "restored" / "att",
                     kiosk_code="GY0101A001", platform_encryption_key=enr_key,
                     limits=OfflineLimits(min_free_disk_bytes=1), clock=rig.clock) as other:
        other.enqueue_event("rating", {"case_no": "X-1", "service_code": "QR00107002",
                                       "level": 1, "reasons": ["态度差"],
                                       "channel": "self_service_terminal"}, key=key)
        rig.worker.outbox = other
        report = rig.worker.run_once(pull_status=False)
        assert report.dead_lettered == 1 and report.delivered == 0
        stats = other.stats()
        assert stats.dead_letters == 1
        rig.worker.outbox = rig.outbox
    ratings = rig.platform.state.events("rating")
    assert len(ratings) == 1 and ratings[0]["body"]["level"] == 5


def test_device_fault_alerts_maintenance_with_an_immediate_heartbeat(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from kiosk.bootstrap import build
    from kiosk.config import load_config
    from kiosk.logsetup import shutdown_logging
    from printing.escpos import SimulatedReceiptPrinter

    core = build(load_config(env={}, overrides={"data_dir": str(tmp_path)}), console_log=False,
                 with_sync=True)
    try:
        assert core.sync is not None and core.platform is not None
        printer = SimulatedReceiptPrinter()
        printer.open()
        printer.set_status("paper_end")
        state = printer.status().state.value
        printer.close()
        assert state != "paper_ok"
        key = core.sync.report_device("receipt_printer", state)
        assert key is not None
        assert core.sync.report_device("receipt_printer", state) is None  # no repeat alarm
        core.sync.worker.run_once(pull_status=False)
        beats = core.platform.state.events("heartbeat")
        assert any(b["body"]["devices"].get("receipt_printer") == state for b in beats)
    finally:
        core.close()
        shutdown_logging()
