"""A pass over a long queue: several batches, one FULL commit per batch, nothing left
``sending``, every item once at the platform with its whole history (docs/stress.md §3)."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from typing import Any

import pytest
from sqlalchemy import event

from sync.backoff import BackoffPolicy
from sync.models import ItemState
from sync.outbox import StateChange
from sync.worker import SyncWorker
from tests.integration.conftest import Rig, draft


def platform_keys(rig: Rig) -> Counter[str]:
    return Counter(a["idempotency_key"] for a in rig.platform.state.applications())


def outbox_states(rig: Rig) -> Counter[str]:
    with sqlite3.connect(rig.outbox.db.path) as conn:
        return Counter(s for (s,) in conn.execute("SELECT state FROM outbox"))


def test_a_long_queue_drains_in_one_pass_with_one_commit_per_batch(rig: Rig) -> None:
    receipts = [rig.outbox.submit_application(draft(i, scans=0)) for i in range(8)]
    rig.worker.batch_size = 2  # 4 batches
    begins: list[str] = []

    def spy(conn: object, cursor: object, statement: str, *args: object) -> None:
        if statement.startswith("BEGIN IMMEDIATE"):
            begins.append(statement)

    event.listen(rig.outbox.db.engine, "before_cursor_execute", spy)
    report = rig.worker.run_once(pull_status=False)
    event.remove(rig.outbox.db.engine, "before_cursor_execute", spy)
    assert (report.due, report.delivered, report.error) == (8, 8, None), report
    # two to mark the first two batches (the second while the first is in flight), one per
    # batch for its acknowledgements together with taking the one after next, one for the
    # first contact with the platform: two per batch before (a batch that mixes
    # applications and events takes one more: two POSTs)
    assert len(begins) <= 4 + 3
    assert platform_keys(rig) == Counter({r.key: 1 for r in receipts})
    assert outbox_states(rig) == Counter({"submitted": 8})
    for r in receipts:
        history = rig.outbox.history(r.key)
        assert [h.to_state for h in history] == [
            ItemState.PENDING, ItemState.SENDING, ItemState.SUBMITTED]
        assert all(h.reason_zh for h in history)


def test_stop_ends_the_pass_after_the_batch_already_taken(rig: Rig) -> None:
    for i in range(7):
        rig.outbox.submit_application(draft(i, scans=0))
    rig.worker.batch_size = 2
    delivered: list[str] = []

    def on_change(change: StateChange) -> None:
        if change.state is ItemState.SUBMITTED:
            delivered.append(change.key)
            rig.worker.stop()  # as the kiosk shutting down while a pass runs

    rig.outbox.add_listener(on_change)
    report = rig.worker.run_once(pull_status=False)
    # the first acknowledgement was recorded while the second batch was in flight, in the
    # transaction that took the third: both are sent, and nothing stays "sending" (that
    # would wait for the next start of the kiosk)
    assert (report.due, report.delivered) == (6, 6)
    assert outbox_states(rig) == Counter({"submitted": 6, "pending": 1})
    assert rig.outbox.stats().depth.get(ItemState.SENDING.value) is None


@pytest.mark.parametrize("fault", ["drop_after_commit", "reset", "unavailable_503"])
def test_faults_in_the_middle_of_a_pass_end_with_every_item_once(rig: Rig, fault: str) -> None:
    receipts = [rig.outbox.submit_application(draft(i, scans=i % 2, size=3000))
                for i in range(9)]
    rig.worker.batch_size = 2
    rig.platform.inject(fault, path_prefix="/api/v1/applications", probability=0.4, count=6)
    first = rig.worker.run_once(pull_status=False)
    assert outbox_states(rig)[ItemState.SENDING.value] == 0  # a failure sends nothing back
    assert first.delivered + first.retried <= 9
    rig.drain()
    assert platform_keys(rig) == Counter({r.key: 1 for r in receipts})
    for r in receipts:
        view = rig.outbox.lookup(r.provisional_no)
        assert view is not None and view.state is ItemState.SUBMITTED and view.purged
        assert all(h.reason_zh for h in view.history)


def test_a_pass_ends_when_its_time_budget_is_spent(rig: Rig) -> None:
    for i in range(5):
        rig.outbox.submit_application(draft(i, scans=0))
    ticks = iter(range(0, 10_000, 4))  # every look at the clock: 4 s later
    worker = SyncWorker(rig.outbox, rig.client, policy=BackoffPolicy(spread_s=0.0),
                        clock=rig.clock, monotonic=lambda: float(next(ticks)), batch_size=2,
                        pass_budget_s=6.0)
    assert worker.run_once(pull_status=False).delivered == 4  # 2 batches: 0 s, 4 s, then 8 s
    assert outbox_states(rig) == Counter({"submitted": 4, "pending": 1})
    assert worker.run_once(pull_status=False).delivered == 1


def test_every_batch_is_posted_only_once_it_is_committed_as_sending(rig: Rig) -> None:
    receipts = [rig.outbox.submit_application(draft(i, scans=0)) for i in range(9)]
    rig.worker.batch_size = 2
    seen: list[tuple[list[str], Counter[str]]] = []
    submit = rig.client.submit_batch

    def checked_submit(items: Any, **kw: Any) -> Any:
        keys = [json.loads(p)["idempotency_key"] for p in items]
        # what another process would find in the file now: committed rows only
        with sqlite3.connect(rig.outbox.db.path) as conn:
            committed = dict(conn.execute("SELECT key, state FROM outbox"))
        seen.append(([committed[k] for k in keys], Counter(committed.values())))
        return submit(items, **kw)

    rig.client.submit_batch = checked_submit  # type: ignore[method-assign]
    assert rig.worker.run_once(pull_status=False).delivered == 9
    assert len(seen) == 5
    for states, counts in seen:
        assert set(states) == {"sending"}
        assert counts["sending"] <= 2 * 2  # this batch and at most the next one
    assert platform_keys(rig) == Counter({r.key: 1 for r in receipts})


def test_an_upload_failure_records_the_batch_answered_before_it(rig: Rig) -> None:
    plain = [rig.outbox.submit_application(draft(i, scans=0)) for i in range(2)]
    scanned = [rig.outbox.submit_application(draft(i, scans=1, size=2000)) for i in range(2)]
    rig.worker.batch_size = 2
    rig.platform.inject("unavailable_503", path_prefix="/api/v1/attachments", count=1)
    report = rig.worker.run_once(pull_status=False)
    # the first batch was answered while the second was being prepared: its answers are
    # recorded, not thrown away and resent
    assert (report.delivered, report.retried) == (2, 2)
    for r in plain:
        view = rig.outbox.lookup(r.provisional_no)
        assert view is not None and view.state is ItemState.SUBMITTED
    rig.drain()
    assert platform_keys(rig) == Counter({r.key: 1 for r in plain + scanned})
    assert rig.platform.state.stats()["replays"] == 0
