"""The set-based delivery path: due, mark_sending, mark_delivered_many(take_next=), and
status pages that repeat what the kiosk already holds."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event

from sync.models import ItemState
from sync.outbox import Ack, ApplicationDraft, Outbox, StateChange

from .conftest import FakeClock


@contextmanager
def write_transactions(outbox: Outbox) -> Iterator[list[str]]:
    """The BEGIN IMMEDIATE statements (one per write transaction, so one FULL commit each)
    issued inside the block."""
    seen: list[str] = []

    def spy(conn: object, cursor: object, statement: str, *args: object) -> None:
        if statement.startswith("BEGIN IMMEDIATE"):
            seen.append(statement)

    event.listen(outbox.db.engine, "before_cursor_execute", spy)
    try:
        yield seen
    finally:
        event.remove(outbox.db.engine, "before_cursor_execute", spy)


def states(outbox: Outbox) -> dict[str, tuple[str, str | None, bool]]:
    """key -> (outbox state, application state, payload still stored)."""
    with sqlite3.connect(outbox.db.path) as conn:
        rows = conn.execute("SELECT o.key, o.state, a.state, o.payload IS NOT NULL "
                            "FROM outbox o LEFT JOIN applications a ON a.key = o.key").fetchall()
    return {k: (s, a, bool(p)) for k, s, a, p in rows}


def history_count(outbox: Outbox) -> int:
    with sqlite3.connect(outbox.db.path) as conn:
        return int(conn.execute("SELECT count(*) FROM transitions").fetchone()[0])


def test_acknowledging_a_batch_takes_the_next_one_in_the_same_transaction(
        outbox: Outbox, draft: Callable[..., ApplicationDraft]) -> None:
    apps = [outbox.submit_application(draft(i)).key for i in range(3)]
    events = [outbox.enqueue_event("rating", {"score": i}) for i in range(2)]
    assert [d.key for d in outbox.due(limit=10)] == apps + events
    first = outbox.due(limit=2)
    outbox.mark_sending([d.key for d in first])
    seen: list[StateChange] = []
    outbox.add_listener(seen.append)
    with write_transactions(outbox) as begins:
        taken = outbox.mark_delivered_many(
            [Ack(apps[0], "C-0", "submitted", "已接收"), Ack(apps[1], "C-1")], take_next=2)
    assert len(begins) == 1  # one transaction, one FULL commit
    assert [d.key for d in taken] == [apps[2], events[0]]
    assert all(d.payload for d in taken)
    now = states(outbox)
    assert now[apps[0]] == ("submitted", "submitted", False)  # delivered and purged
    assert now[apps[2]] == ("sending", "sending", True)
    assert now[events[0]] == ("sending", None, True)
    assert now[events[1]] == ("pending", None, True)
    assert [(c.key, c.state) for c in seen] == [
        (apps[0], ItemState.SUBMITTED), (apps[1], ItemState.SUBMITTED),
        (apps[2], ItemState.SENDING), (events[0], ItemState.SENDING)]
    assert [(h.to_state, h.reason_zh) for h in outbox.history(apps[2])] == [
        (ItemState.PENDING, "申请已保存在本机，等待上报政务服务平台"),
        (ItemState.SENDING, "正在上报政务服务平台")]
    view = outbox.lookup("C-0")
    assert view is not None and (view.reason_zh, view.purged) == ("已接收", True)
    assert [h.reason_zh for h in outbox.history(events[0])][-1] == "正在上报政务服务平台"


def test_a_failure_inside_the_combined_transaction_changes_nothing(
        outbox: Outbox, draft: Callable[..., ApplicationDraft],
        monkeypatch: pytest.MonkeyPatch) -> None:
    keys = [outbox.submit_application(draft(i)).key for i in range(4)]
    outbox.mark_sending(keys[:2])
    before, rows = states(outbox), history_count(outbox)
    write = Outbox._write

    def write_then_fail(*args: Any, **kwargs: Any) -> None:
        write(*args, **kwargs)  # every statement ran; the COMMIT never comes
        raise OSError("power cut")

    monkeypatch.setattr(Outbox, "_write", staticmethod(write_then_fail))
    with pytest.raises(OSError):
        outbox.mark_delivered_many([Ack(keys[0], "C-0"), Ack(keys[1], "C-1")], take_next=2)
    monkeypatch.undo()
    assert states(outbox) == before  # still sending with the envelope; the next not taken
    assert history_count(outbox) == rows
    assert [d.key for d in outbox.due()] == keys[2:]
    # the same acknowledgements again (as after a restart): now they land, and take the rest
    taken = outbox.mark_delivered_many([Ack(keys[0], "C-0"), Ack(keys[1], "C-1")],
                                       take_next=5)
    assert [d.key for d in taken] == keys[2:]
    assert [v[0] for v in states(outbox).values()] == ["submitted"] * 2 + ["sending"] * 2


def test_due_takes_the_oldest_across_pending_and_rescheduled_items(
        outbox: Outbox, clock: FakeClock) -> None:
    keys = [outbox.enqueue_event("rating", {"score": i}) for i in range(6)]
    outbox.mark_sending(keys[:3])
    outbox.schedule_retry(keys[0], clock.now + 10, "reset")  # due soon
    outbox.schedule_retry(keys[1], clock.now + 600, "503")  # not due for a while
    outbox.schedule_retry(keys[2], clock.now - 1, "timeout")  # due
    assert [d.key for d in outbox.due()] == [keys[2], keys[3], keys[4], keys[5]]
    assert [d.key for d in outbox.due(limit=2)] == [keys[2], keys[3]]
    clock.advance(10)
    assert [d.key for d in outbox.due(limit=3)] == [keys[0], keys[2], keys[3]]
    assert [(d.key, d.attempts) for d in outbox.due(limit=1)] == [(keys[0], 1)]
    assert outbox.next_due_at() == clock.now
    outbox.mark_sending([keys[0], keys[2], keys[3], keys[4], keys[5]])
    assert outbox.due() == [] and outbox.next_due_at() == clock.now + 590


def test_a_status_page_that_repeats_what_the_kiosk_holds_only_moves_the_cursor(
        outbox: Outbox, draft: Callable[..., ApplicationDraft]) -> None:
    keys = [outbox.submit_application(draft(i)).key for i in range(3)]
    outbox.mark_sending(keys)
    outbox.mark_delivered_many([Ack(k, f"C-{n}", "submitted", "已接收") for n, k in
                                enumerate(keys)])
    rows = history_count(outbox)
    page = [{"seq": n + 1, "idempotency_key": k, "case_no": f"C-{n}", "state": "submitted",
             "reason": "已接收"} for n, k in enumerate(keys)]
    assert outbox.apply_status_updates(page, 3) == ["unchanged"] * 3
    assert history_count(outbox) == rows and outbox.get_cursor() == 3
    # the same page with one real change: only that one is applied
    page[1] = {**page[1], "seq": 5, "state": "accepted", "reason": "予以受理"}
    assert outbox.apply_status_updates(page, 5) == ["unchanged", "applied", "unchanged"]
    assert history_count(outbox) == rows + 1
    view = outbox.lookup("C-1")
    assert view is not None and (view.state, view.reason_zh) == (ItemState.ACCEPTED, "予以受理")


def test_a_repeat_later_in_the_page_is_judged_after_the_change_before_it(
        outbox: Outbox, draft: Callable[..., ApplicationDraft]) -> None:
    key = outbox.submit_application(draft()).key
    outbox.mark_sending([key])
    outbox.mark_delivered(key, "C-9", "submitted", "已接收")
    page = [{"seq": 1, "idempotency_key": key, "state": "submitted", "reason": "已接收"},
            {"seq": 2, "idempotency_key": key, "state": "needs_correction",
             "reason": "请补充户口簿首页"},
            # the same as the first line, and as the record held before this page: after
            # the line above it is a real change back
            {"seq": 3, "idempotency_key": key, "state": "submitted", "reason": "已接收"}]
    assert outbox.apply_status_updates(page, 3) == ["unchanged", "applied", "applied"]
    assert [h.to_state for h in outbox.history(key)][-2:] == [
        ItemState.NEEDS_CORRECTION, ItemState.SUBMITTED]
