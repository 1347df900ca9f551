"""States, transitions and their history; delivery, purge, status updates, lookup, stats."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import pytest

from kiosk.errors import KioskError
from sync.models import IllegalTransitionError, ItemState, check_transition
from sync.outbox import ApplicationDraft, Outbox, UnknownItemError

from .conftest import FakeClock, OpenOutbox

LABELS = {"pending": "待上报", "sending": "上报中", "retry_scheduled": "待重试",
          "dead_letter": "上报失败", "submitted": "已上报", "accepted": "已受理",
          "needs_correction": "需补正", "refused": "不予受理", "completed": "已办结"}


def test_every_state_has_its_chinese_label() -> None:
    assert {s.value: s.label for s in ItemState} == LABELS


@pytest.mark.parametrize(("current", "new"), [
    ("submitted", "pending"), ("accepted", "submitted"), ("completed", "accepted"),
    ("refused", "accepted"), ("pending", "retry_scheduled"), ("dead_letter", "sending"),
    ("sending", "pending"), ("completed", "dead_letter")])
def test_illegal_transitions_are_errors(current: str, new: str) -> None:
    with pytest.raises(IllegalTransitionError):
        check_transition(ItemState(current), ItemState(new))


def test_a_full_life_is_recorded_with_reasons_and_details(
        outbox: Outbox, clock: FakeClock, draft: Callable[..., ApplicationDraft]) -> None:
    receipt = outbox.submit_application(draft())
    key = receipt.key
    outbox.mark_sending([key])
    clock.advance(5)
    outbox.schedule_retry(key, clock.now + 30, "ConnectTimeout: 5 s")
    clock.advance(31)
    outbox.mark_sending([key])
    outbox.mark_delivered(key, "520100-QR00107002-20261122-000123", "submitted",
                          "已接收，等待受理")
    outbox.apply_status_update({"seq": 1, "idempotency_key": key, "state": "accepted",
                                "case_no": "520100-QR00107002-20261122-000123",
                                "reason": "材料齐全，予以受理"})
    outbox.apply_status_update({"seq": 2, "idempotency_key": key, "state": "completed",
                                "reason": "已办结，请到窗口领取"})
    history = outbox.history(key)
    assert [(h.from_state and h.from_state.value, h.to_state.value) for h in history] == [
        (None, "pending"), ("pending", "sending"), ("sending", "retry_scheduled"),
        ("retry_scheduled", "sending"), ("sending", "submitted"), ("submitted", "accepted"),
        ("accepted", "completed")]
    assert history[2].reason_zh == "暂时无法连接政务服务平台，稍后自动重试"
    assert history[2].detail == "ConnectTimeout: 5 s"
    assert history[-1].reason_zh == "已办结，请到窗口领取"
    assert [h.at for h in history] == sorted(h.at for h in history)
    view = outbox.lookup("520100-QR00107002-20261122-000123")
    assert view is not None and view.key == key
    assert (view.state, view.state_label, view.reason_zh) == (
        ItemState.COMPLETED, "已办结", "已办结，请到窗口领取")
    assert view.history == tuple(history)
    assert outbox.lookup(receipt.provisional_no.lower()) == view


def test_an_illegal_transition_changes_nothing(
        outbox: Outbox, draft: Callable[..., ApplicationDraft]) -> None:
    key = outbox.submit_application(draft()).key
    with pytest.raises(IllegalTransitionError) as err:
        outbox.schedule_retry(key, 0, "not sending yet")  # pending -> retry is not allowed
    assert isinstance(err.value, KioskError) and err.value.user_message
    with pytest.raises(IllegalTransitionError):
        outbox.mark_delivered(key, state="pending")  # not a platform state
    view = outbox.application(key)
    assert view is not None and view.state is ItemState.PENDING and view.attempts == 0
    assert len(outbox.history(key)) == 1


def test_unknown_keys_are_reported(outbox: Outbox) -> None:
    with pytest.raises(UnknownItemError):
        outbox.mark_sending(["00000000-0000-4000-8000-000000000000"])
    with pytest.raises(UnknownItemError):
        outbox.history("nope")
    assert outbox.lookup("DEMO0001-20261122-000001-X") is None
    assert outbox.lookup("  ") is None


def test_backoff_state_survives_a_reboot(open_outbox: OpenOutbox, clock: FakeClock,
                                         draft: Callable[..., ApplicationDraft]) -> None:
    ob = open_outbox()
    key = ob.submit_application(draft()).key
    for _ in range(3):
        ob.mark_sending([key])
        ob.schedule_retry(key, clock.now + 600, "HTTP 503 overloaded")
    ob.close()
    ob = open_outbox()
    assert ob.due() == []
    view = ob.application(key)
    assert view is not None
    assert (view.state, view.attempts, view.last_error) == (
        ItemState.RETRY_SCHEDULED, 3, "HTTP 503 overloaded")
    assert ob.next_due_at() == clock.now + 600
    clock.advance(600)
    [due] = ob.due()
    assert (due.key, due.attempts) == (key, 3)


def test_items_left_sending_by_a_crash_are_rescheduled_at_open(
        open_outbox: OpenOutbox, draft: Callable[..., ApplicationDraft]) -> None:
    ob = open_outbox()
    key = ob.submit_application(draft()).key
    ob.mark_sending([key])
    ob.close()
    ob = open_outbox()
    assert ob.open_report.resumed_in_flight == 1
    assert [d.key for d in ob.due()] == [key]
    last = ob.history(key)[-1]
    assert (last.to_state, last.reason_zh) == (ItemState.RETRY_SCHEDULED, "终端重启，重新安排上报")


def test_dead_letters_wait_for_staff_and_can_be_retried(
        outbox: Outbox, draft: Callable[..., ApplicationDraft]) -> None:
    a = outbox.submit_application(draft(1)).key
    b = outbox.submit_application(draft(2)).key
    outbox.mark_sending([a, b])
    outbox.dead_letter(a, "平台拒收：事项编码已停用", "rejected: unknown service_code")
    outbox.schedule_retry(b, 0, "reset")
    assert [d.key for d in outbox.due()] == [b]
    assert outbox.stats().dead_letters == 1
    view = outbox.application(a)
    assert view is not None and (view.state_label, view.reason_zh) == (
        "上报失败", "平台拒收：事项编码已停用")
    assert outbox.retry_dead_letters() == 1
    assert [d.key for d in outbox.due()] == [a, b]
    assert outbox.due()[0].attempts == 0
    assert outbox.history(a)[-1].reason_zh == "工作人员已重新安排上报"


def test_delivery_purges_personal_data_but_keeps_masked_metadata(
        outbox: Outbox, draft: Callable[..., ApplicationDraft]) -> None:
    receipt = outbox.submit_application(draft(scans=3))
    keep = outbox.submit_application(draft(scans=1))
    files = {p.name for p in outbox.attachments.dir.iterdir()}
    assert set(receipt.attachments) | set(keep.attachments) == files
    for sha in receipt.attachments:
        outbox.set_uploaded(sha, outbox.attachment_state(sha).size)
    outbox.mark_sending([receipt.key])
    outbox.mark_delivered(receipt.key, "C-77", "accepted", "予以受理")
    assert {p.name for p in outbox.attachments.dir.iterdir()} == set(keep.attachments)
    with sqlite3.connect(outbox.db.path) as conn:
        payload, delivered = conn.execute("SELECT payload, delivered_at FROM outbox WHERE key=?",
                                          (receipt.key,)).fetchone()
    assert payload is None and delivered is not None
    view = outbox.lookup("C-77")
    assert view is not None and view.purged
    assert (view.masked_name, view.masked_id, view.state_label) == (
        "张**", "110***********002X", "已受理")
    for sha in receipt.attachments:
        assert outbox.attachment_state(sha).purged
        with pytest.raises(UnknownItemError):
            outbox.read_attachment_chunk(sha, 0, 10)
    # a replayed acknowledgement is harmless and does not move the state back
    outbox.mark_delivered(receipt.key, "C-77", "submitted")
    view = outbox.lookup("C-77")
    assert view is not None and view.state is ItemState.ACCEPTED
    assert [d.key for d in outbox.due()] == [keep.key]


def test_status_updates_link_case_numbers_and_move_the_cursor_atomically(
        outbox: Outbox, draft: Callable[..., ApplicationDraft]) -> None:
    a = outbox.submit_application(draft(1))
    b = outbox.submit_application(draft(2))
    outbox.mark_sending([a.key])
    outbox.mark_delivered(a.key, None)
    assert outbox.get_cursor() == 0
    results = outbox.apply_status_updates([
        {"seq": 7, "idempotency_key": a.key, "provisional_no": a.provisional_no,
         "case_no": "CASE-A", "state": "needs_correction", "reason": "请补充户口簿首页"},
        # b's acknowledgement was lost, but the platform has it: delivered and purged
        {"seq": 8, "provisional_no": b.provisional_no, "case_no": "CASE-B",
         "state": "accepted", "reason": "予以受理"},
        {"seq": 9, "idempotency_key": "00000000-0000-4000-8000-000000000000",
         "state": "accepted"},
        {"seq": 10, "idempotency_key": a.key, "state": "needs_correction",
         "reason": "请补充户口簿首页"},
        {"seq": 11, "idempotency_key": a.key, "state": "pending"},
    ], next_cursor=11)
    assert results == ["applied", "applied", "unknown", "unchanged", "illegal"]
    assert outbox.get_cursor() == 11
    va, vb = outbox.lookup("CASE-A"), outbox.lookup("case-b".upper())
    assert va is not None and vb is not None
    assert (va.state_label, va.reason_zh) == ("需补正", "请补充户口簿首页")
    assert (vb.state_label, vb.purged, vb.provisional_no) == ("已受理", True, b.provisional_no)
    assert outbox.due() == []
    outbox.set_cursor(12)
    assert outbox.get_cursor() == 12


def test_stats_report_depth_age_bytes_and_last_contact(
        open_outbox: OpenOutbox, clock: FakeClock,
        draft: Callable[..., ApplicationDraft]) -> None:
    ob = open_outbox()
    empty = ob.stats()
    assert (empty.undelivered, empty.oldest_undelivered_age_s, empty.queued_bytes,
            empty.last_contact_at) == (0, None, 0, None)
    ob.submit_application(draft(scans=2, scan_bytes=10_000))
    clock.advance(120)
    ob.enqueue_event("help_request", {"screen": "form", "service_code": "QR00107002"})
    second = ob.submit_application(draft())
    ob.mark_sending([second.key])
    ob.mark_delivered(second.key, "C-2")
    ob.record_contact()
    clock.advance(60)
    stats = ob.stats()
    assert stats.depth == {"pending": 2, "submitted": 1}
    assert stats.applications == {"pending": 1, "submitted": 1}
    assert stats.undelivered == 2
    assert stats.oldest_undelivered_age_s == 180
    assert stats.queued_bytes > 20_000
    assert stats.last_contact_at == clock.now - 60
    assert stats.hours_since_contact(clock.now) == pytest.approx(60 / 3600)
    ob.close()
    assert open_outbox().stats().last_contact_at == clock.now - 60


def test_attachment_upload_progress_is_resumable(
        outbox: Outbox, draft: Callable[..., ApplicationDraft]) -> None:
    receipt = outbox.submit_application(draft(scan_bytes=5000))
    [sha] = receipt.attachments
    state = outbox.attachment_state(sha)
    assert (state.uploaded_offset, state.done, state.size) == (0, False, 5000 + 28)
    whole = outbox.read_attachment_chunk(sha, 0, 1 << 20)
    assert len(whole) == state.size
    chunks = [outbox.read_attachment_chunk(sha, off, 2048) for off in range(0, state.size, 2048)]
    assert b"".join(chunks) == whole
    assert outbox.set_uploaded(sha, 2048).done is False
    assert outbox.due()[0].pending_attachments == (sha,)
    assert outbox.set_uploaded(sha, 1024).uploaded_offset == 1024  # platform said 409
    assert outbox.set_uploaded(sha, state.size).done
    assert outbox.due()[0].pending_attachments == ()
    with pytest.raises(ValueError):
        outbox.set_uploaded(sha, state.size + 1)
    with pytest.raises(UnknownItemError):
        outbox.attachment_state("0" * 64)


def test_delivered_events_can_be_pruned_but_applications_stay(
        outbox: Outbox, clock: FakeClock, draft: Callable[..., ApplicationDraft]) -> None:
    hb = outbox.enqueue_event("heartbeat", {"queue_depth": {}})
    app = outbox.submit_application(draft()).key
    pending = outbox.enqueue_event("audit", {"seq": 1})
    outbox.mark_sending([hb, app])
    outbox.mark_delivered(hb)
    outbox.mark_delivered(app, "C-1")
    clock.advance(8 * 86_400)
    assert outbox.prune_delivered_events(7 * 86_400) == 1
    with pytest.raises(UnknownItemError):
        outbox.history(hb)
    assert outbox.application(app) is not None
    assert [d.key for d in outbox.due()] == [pending]
