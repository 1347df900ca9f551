"""Order is the local sequence, never the wall clock: a kiosk whose RTC jumps years forwards
and back reorders, loses and starves nothing (reliability T10)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from sync.outbox import MAX_BACKOFF_S, ApplicationDraft, Outbox

from .conftest import T0, FakeClock

YEAR = 365 * 86_400.0


def due_keys(outbox: Outbox) -> list[str]:
    return [d.key for d in outbox.due(limit=1000)]


def fail_all(outbox: Outbox, keys: list[str], delay: float, now: float) -> None:
    outbox.mark_sending(keys)
    for k in keys:
        outbox.schedule_retry(k, now + delay, "ConnectionError")


def test_due_order_survives_clock_jumps_forward_and_back(
        outbox: Outbox, clock: FakeClock, draft: Callable[..., ApplicationDraft]) -> None:
    keys = [outbox.submit_application(draft(0)).key,
            outbox.enqueue_event("rating", {"level": 5}),
            outbox.submit_application(draft(1)).key]
    assert due_keys(outbox) == keys

    # different backoffs: the *oldest* is scheduled last, yet order stays by sequence
    outbox.mark_sending(keys)
    for k, delay in zip(keys, (600, 30, 60), strict=True):
        outbox.schedule_retry(k, clock.now + delay, "timeout")
    assert due_keys(outbox) == []

    clock.now = T0 + 5 * YEAR  # RTC jumps years ahead
    keys.append(outbox.submit_application(draft(2)).key)
    assert due_keys(outbox) == keys  # everything is due, still in queue order
    fail_all(outbox, keys, 120, clock.now)

    clock.now = T0 + 300  # NTP puts it right: every schedule is now ~5 years away
    keys.append(outbox.enqueue_event("heartbeat", {"queue_depth": {}}))
    assert due_keys(outbox) == keys[-1:]
    with sqlite3.connect(outbox.db.path) as conn:
        pulled_in = {r[0] for r in conn.execute(
            "SELECT next_attempt_at FROM outbox WHERE state = 'retry_scheduled'")}
    assert pulled_in == {T0 + 300 + MAX_BACKOFF_S}  # clamped to the cap, and persisted
    assert outbox.next_due_at() == clock.now  # the heartbeat is pending
    fail_all(outbox, keys[-1:], 30, clock.now)
    assert outbox.next_due_at() == clock.now + 30

    clock.now = T0 + 300 + MAX_BACKOFF_S  # not starved: due after at most the cap
    assert due_keys(outbox) == keys

    clock.now = T0 - 26 * YEAR  # dead RTC battery: back to 2000, mid-backoff
    keys.append(outbox.submit_application(draft(3)).key)
    assert due_keys(outbox) == keys[-1:]  # the others wait at most the cap
    clock.advance(MAX_BACKOFF_S)
    assert due_keys(outbox) == keys
    fail_all(outbox, keys, 45, clock.now)
    assert due_keys(outbox) == []
    clock.advance(MAX_BACKOFF_S)
    assert due_keys(outbox) == keys

    stats = outbox.stats()
    assert stats.undelivered == len(keys) == 6
    assert stats.oldest_undelivered_age_s == 0.0  # never negative
    with sqlite3.connect(outbox.db.path) as conn:
        seqs = [r[0] for r in conn.execute("SELECT seq FROM outbox ORDER BY created_at")]
    assert seqs != sorted(seqs)  # wall-clock order is scrambled; the queue order is not


def test_next_due_at_is_never_beyond_the_backoff_cap(
        outbox: Outbox, clock: FakeClock, draft: Callable[..., ApplicationDraft]) -> None:
    assert outbox.next_due_at() is None
    key = outbox.submit_application(draft()).key
    outbox.mark_sending([key])
    outbox.schedule_retry(key, clock.now + 10 * YEAR, "bogus Retry-After date")
    assert outbox.next_due_at() == clock.now + MAX_BACKOFF_S
