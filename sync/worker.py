"""The sync worker: delivers the outbox to the platform, exactly once, off the UI thread.

One pass (``run_once``) does, in order:

1. take the due items (oldest local sequence first; never by wall clock) and mark them
   ``sending``;
2. upload each application's attachments that are not complete yet, resumably, recording
   the offset after every chunk;
3. POST the applications, then the events, as batches of the *stored* bytes (identical on
   every retry, so the platform's fingerprint always matches);
4. per item: ``accepted``/``duplicate`` → delivered (personal data purged);
   ``conflict``/``rejected`` → dead letter with the reason, alert, no retry;
   ``missing_attachment``/``in_flight`` → retry;
5. repeat 2–4 with the next batch, up to ``batches_per_pass`` batches or
   ``pass_budget_s`` (so that status pulls and periodic tasks are not starved by a long
   queue on a slow link): recording one batch's acknowledgements and taking (1) the next
   batch is one transaction, so a long queue drains with one FULL commit per batch
   (``Outbox.mark_delivered_many(take_next=)``), and that transaction runs while the next
   batch's POST is in flight on a helper thread (network I/O only; see
   ``_deliver_batches`` for why the guarantees hold);
6. pull status updates by cursor when due.

Failures: a transport failure (no link, timeout, reset, truncated or malformed answer,
5xx, 429) reschedules every item of the batch with full-jitter backoff from its persisted
attempt count, ``Retry-After`` as a floor; nothing is marked delivered without a complete,
well-formed acknowledgement. A whole batch refused as malformed is resent item by item so
one poisoned item cannot block the rest. An authentication failure pauses the worker (no
hammering) until ``wake()`` after the cause is fixed.

The background thread (``start``/``stop``) waits for whichever comes first: the next due
item, the next status pull, a probe of a down link, or ``wake()``. Its first attempt after
start and after the link comes back is spread over ``policy.spread_s``.
"""

from __future__ import annotations

import enum
import json
import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

from kiosk.errors import KioskError, SyncAuthError, SyncRejectedError
from sync.backoff import BackoffPolicy
from sync.client import ItemResult, PlatformClient, RetryableError
from sync.outbox import Ack, DueItem, Outbox

log = logging.getLogger(__name__)

# Updates per status page. Every delivery comes back once as "submitted", so after a drain
# the pull is as long as the drain: big pages mean few round trips and few commits of the
# cursor. The reference platform serves at most 1,000; a platform that serves fewer is
# simply asked again.
STATUS_PAGE = 1000

DEAD_REASONS = {
    "conflict": "同一办件编号对应了不同的申请内容，已停止上报，请工作人员核查",
    "rejected": "政务服务平台拒收该申请",
}


class Link(enum.StrEnum):
    UNKNOWN = "unknown"
    UP = "up"
    DOWN = "down"
    AUTH_FAILED = "auth_failed"

    @property
    def label(self) -> str:
        return {"unknown": "连接状态未知", "up": "已连接政务服务平台",
                "down": "暂时无法连接政务服务平台", "auth_failed": "终端认证失败，已暂停上报"}[self]


@dataclass(frozen=True)
class SyncStatus:
    link: Link = Link.UNKNOWN
    last_contact_at: float | None = None
    last_error: str | None = None
    consecutive_failures: int = 0


@dataclass
class PeriodicTask:
    """Work the worker does every ``every_s`` while the link allows: refresh the catalogue,
    enqueue a heartbeat. ``fn`` may raise our sync errors; they count as link failures."""

    name: str
    every_s: float
    fn: Callable[[], object]
    needs_link: bool = True  # False: local work (enqueue a heartbeat), done before delivery
    next_at: float = 0.0


@dataclass
class PassReport:
    due: int = 0
    delivered: int = 0
    retried: int = 0
    dead_lettered: int = 0
    uploaded_bytes: int = 0
    status_updates: int = 0
    error: str | None = None


@dataclass
class _Outcome:
    """The platform's answer to one POST of a batch (its applications or its events)."""

    items: Sequence[DueItem]
    events: bool
    results: Sequence[ItemResult]
    refused: SyncRejectedError | None = None  # the whole POST was refused


def _attachments_of(item: DueItem) -> list[str]:
    try:
        listed = json.loads(item.payload).get("attachments", [])
    except (ValueError, AttributeError):
        return list(item.pending_attachments)
    return [a for a in listed if isinstance(a, str)]


class SyncWorker:
    def __init__(
        self,
        outbox: Outbox,
        client: PlatformClient,
        *,
        policy: BackoffPolicy | None = None,
        batch_size: int = 50,
        batches_per_pass: int = 20,
        pass_budget_s: float = 10.0,
        status_every_s: float = 30.0,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
        tasks: Sequence[PeriodicTask] = (),
    ) -> None:
        self.outbox = outbox
        self.client = client
        self.policy = policy or BackoffPolicy()
        self.batch_size = batch_size
        self.batches_per_pass = max(1, batches_per_pass)
        self.pass_budget_s = pass_budget_s
        self.status_every_s = status_every_s
        self._clock = clock
        self._mono = monotonic
        self._status = SyncStatus()
        self._listeners: list[Callable[[SyncStatus], None]] = []
        self._lock = threading.Lock()  # one pass at a time (thread, CLI, force sync)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._next_status_pull = 0.0
        self._paused = False
        self._open: dict[str, DueItem] = {}  # items of the current pass not yet settled
        self._last_retry_after: float | None = None
        self.tasks = list(tasks)

    # -- status ------------------------------------------------------------------------------
    @property
    def status(self) -> SyncStatus:
        return self._status

    def add_listener(self, fn: Callable[[SyncStatus], None]) -> None:
        """Called from the worker thread after every change of link state or error."""
        self._listeners.append(fn)

    def _set_status(self, **changes: object) -> None:
        new = replace(self._status, **changes)  # type: ignore[arg-type]
        if new != self._status:
            self._status = new
            for fn in list(self._listeners):
                try:
                    fn(new)
                except Exception:  # a listener must never kill the worker
                    log.exception("sync status listener failed")

    def _link_up(self) -> None:
        now = self._clock()
        self.outbox.record_contact(now)
        self._set_status(link=Link.UP, last_contact_at=now, last_error=None,
                         consecutive_failures=0)

    def _link_failed(self, err: KioskError) -> None:
        if isinstance(err, SyncAuthError):
            self._paused = True
            self._set_status(link=Link.AUTH_FAILED, last_error=err.detail)
            log.error("platform refused our credentials; sync paused: %s", err.detail)
            return
        self._set_status(link=Link.DOWN, last_error=err.detail,
                         consecutive_failures=self._status.consecutive_failures + 1)

    # -- one pass ------------------------------------------------------------------------------
    def run_once(self, *, pull_status: bool | None = None) -> PassReport:
        """Deliver what is due now (up to ``batches_per_pass`` batches) and pull status
        updates if due. Safe to call from any thread; passes never overlap."""
        with self._lock:
            report = PassReport()
            if self._paused:
                report.error = "paused: authentication failed"
                return report
            self._run_tasks(before_delivery=True)
            self._open = {}
            started = self._mono()
            batch = self._take()
            try:
                self._deliver_batches(batch, report, started)
                if pull_status or (pull_status is None and self._mono() >= self._next_status_pull):
                    self._pull_status(report)
                self._run_tasks(before_delivery=False)
            except (RetryableError, SyncAuthError) as err:
                report.error = err.detail
                self._link_failed(err)
                retry_after = err.retry_after_s if isinstance(err, RetryableError) else None
                self._last_retry_after = retry_after
                # whatever this pass did not get to backs off too: no item stays "sending"
                self._retry(list(self._open.values()), report, retry_after=retry_after,
                            error=err.detail)
            return report

    def _run_tasks(self, *, before_delivery: bool) -> None:
        """Local tasks (heartbeat enqueue) run before delivery so their items go out in the
        same pass; platform tasks (catalogue) after it, and only while the link is not down."""
        now = self._mono()
        for task in self.tasks:
            if task.needs_link == before_delivery or now < task.next_at:
                continue
            if task.needs_link and self._status.link == Link.DOWN:
                continue
            task.next_at = now + task.every_s
            try:
                task.fn()
            except (RetryableError, SyncAuthError):
                task.next_at = now  # try again with the next pass that reaches the platform
                raise
            except KioskError as err:
                log.error("periodic task %s failed: %s", task.name, err.detail)

    def _take(self) -> list[DueItem]:
        due = self.outbox.due(self._clock(), self.batch_size)
        # 上报中 from here on; a crash leaves them "sending" and the outbox reschedules
        # them at the next open
        self.outbox.mark_sending([d.key for d in due])
        self._open.update((d.key, d) for d in due)
        return due

    def _deliver_batches(self, batch: list[DueItem], report: PassReport,
                         started: float) -> None:
        """Send batch after batch, pipelined: while a batch's POSTs are in flight on a helper
        thread, this thread records the previous batch's answers and takes the next batch,
        in one transaction (``mark_delivered_many(take_next=)``). The helper does network
        I/O only; every queue write stays on this thread. So a batch is POSTed only after
        the commit that marked it ``sending`` returned, answers are recorded only from
        complete acknowledgements, and at most two batches are ``sending`` at once (both in
        ``_open``: a failure reschedules both)."""
        pending: list[_Outcome] | None = None  # answered, to record during the next POST
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync-post") as net:
            for n in range(self.batches_per_pass):
                if not batch:
                    break
                # stop() ends the pass after this batch; a batch taken is always sent
                more = (n + 1 < self.batches_per_pass and not self._stop.is_set()
                        and self._mono() - started < self.pass_budget_s)
                take = self.batch_size if more else 0
                report.due += len(batch)
                try:
                    ready = self._upload_attachments(
                        [d for d in batch if d.kind == "application"], report)
                except (RetryableError, SyncAuthError):
                    if pending is not None:  # answered: record it before backing off
                        self._settle(pending, report, take_next=0)
                    raise
                events = [d for d in batch if d.kind != "application"]
                answer = net.submit(self._post_all, [
                    (items, is_events) for items, is_events in ((ready, False), (events, True))
                    if items])
                try:
                    taken = None
                    if pending is not None:
                        taken = self._settle(pending, report, take_next=take)
                    nxt = taken if taken is not None else self._take() if take else []
                finally:
                    outcomes, err = answer.result()
                if err is not None or any(o.refused is not None for o in outcomes):
                    # nothing in flight now: a refused batch may be resent item by item
                    pending = None
                    self._settle(outcomes, report, take_next=0)
                    if err is not None:
                        raise err
                else:
                    pending = outcomes
                batch = nxt
            if pending is not None:
                self._settle(pending, report, take_next=0)

    def _post_all(self, posts: Sequence[tuple[Sequence[DueItem], bool]],
                  ) -> tuple[list[_Outcome], RetryableError | SyncAuthError | None]:
        """Runs on the helper thread, network only: POST the batch's applications, then its
        events; stop at the first transport or authentication failure."""
        out = []
        for items, is_events in posts:
            try:
                out.append(_Outcome(items, is_events, self._post(items, events=is_events)))
            except SyncRejectedError as err:
                out.append(_Outcome(items, is_events, [], refused=err))
            except (RetryableError, SyncAuthError) as err:
                return out, err
        return out, None

    def _settle(self, outcomes: Sequence[_Outcome], report: PassReport, *,
                take_next: int) -> list[DueItem] | None:
        """Record a batch's answers; returns the next batch when it was taken in the same
        transaction (``take_next``), else ``None``."""
        taken = None
        for n, o in enumerate(outcomes):
            if o.refused is not None:
                self._refused(o.items, o.refused, report, events=o.events)
                continue
            self._link_up()
            last = n == len(outcomes) - 1
            got = self._apply(o.items, o.results, report, take_next=take_next if last else 0)
            taken = got if got is not None else taken
        return taken

    def _upload_attachments(self, apps: Sequence[DueItem], report: PassReport) -> list[DueItem]:
        ready = []
        for item in apps:
            try:
                for sha in item.pending_attachments:
                    report.uploaded_bytes += self._upload(sha)
                ready.append(item)
            except SyncRejectedError as err:
                self._dead(item.key, "附件上报失败，请工作人员核查", err.detail, report)
        return ready

    def _upload(self, sha: str) -> int:
        state = self.outbox.attachment_state(sha)

        def read(offset: int, size: int) -> bytes:
            return self.outbox.read_attachment_chunk(sha, offset, size)

        def progress(offset: int) -> None:
            self.outbox.set_uploaded(sha, offset)

        self.client.upload_attachment(sha, state.size, read, progress)
        return state.size - state.uploaded_offset

    def _deliver(self, items: Sequence[DueItem], report: PassReport, *, events: bool) -> None:
        try:
            results = self._post(items, events=events)
        except SyncRejectedError as err:
            self._refused(items, err, report, events=events)
            return
        self._link_up()
        self._apply(items, results, report)

    def _refused(self, items: Sequence[DueItem], err: SyncRejectedError, report: PassReport,
                 *, events: bool) -> None:
        if len(items) > 1:
            log.warning("batch of %d refused (%s); resending one by one", len(items),
                        err.detail)
            for single in items:
                self._deliver([single], report, events=events)
            return
        self._dead(items[0].key, DEAD_REASONS["rejected"], err.detail, report)
        self._link_up()

    def _post(self, items: Sequence[DueItem], *, events: bool) -> list[ItemResult]:
        payloads = [i.payload for i in items]
        results = (self.client.submit_events(payloads) if events
                   else self.client.submit_batch(payloads))
        if {r.idempotency_key for r in results} != {i.key for i in items}:
            raise RetryableError("batch answer does not match the items sent")
        return results

    def _apply(self, items: Sequence[DueItem], results: Sequence[ItemResult],
               report: PassReport, *, take_next: int = 0) -> list[DueItem] | None:
        by_key = {i.key: i for i in items}
        acks = [Ack(r.idempotency_key, r.case_no, r.state or "submitted", r.reason or None)
                for r in results if r.delivered]
        taken = None
        if acks:
            # items this batch leaves to retry are still "sending": the next batch, taken
            # in the same transaction, cannot include them
            got = self.outbox.mark_delivered_many(acks, take_next=take_next)
            report.delivered += len(acks)
            for a in acks:
                self._open.pop(a.key, None)
            if take_next > 0:
                taken = got
                self._open.update((d.key, d) for d in got)
        for r in results:
            item = by_key[r.idempotency_key]
            if r.status in DEAD_REASONS:
                self._dead(r.idempotency_key, r.reason or DEAD_REASONS[r.status],
                           f"{r.status}: {r.error or ''}", report)
                log.error("item %s dead-lettered: %s %s", item.provisional_no or item.key,
                          r.status, r.error or "")
            elif r.status == "missing_attachment":
                # the platform lost or never completed one: upload them all again next pass
                for sha in _attachments_of(item):
                    self.outbox.set_uploaded(sha, 0)
                self._retry([item], report, retry_after=None, error="missing_attachment")
            elif not r.delivered:
                self._retry([item], report, retry_after=None, error=r.status)
        return taken

    def _retry(self, items: Sequence[DueItem], report: PassReport, *,
               retry_after: float | None, error: str = "transport") -> None:
        now = self._clock()
        for i in items:
            self.outbox.schedule_retry(i.key, now + self.policy.delay(i.attempts, retry_after),
                                       error)
            self._open.pop(i.key, None)
            report.retried += 1

    def _dead(self, key: str, reason_zh: str, detail: str, report: PassReport) -> None:
        self.outbox.dead_letter(key, reason_zh, detail)
        self._open.pop(key, None)
        report.dead_lettered += 1

    def _pull_status(self, report: PassReport) -> None:
        cursor = self.outbox.get_cursor()
        while True:
            updates, nxt = self.client.status_updates(cursor, limit=STATUS_PAGE)
            self._link_up()
            self.outbox.apply_status_updates(updates, nxt)
            report.status_updates += len(updates)
            if not updates or nxt == cursor:
                break
            cursor = nxt
        self._next_status_pull = self._mono() + self.status_every_s

    # -- background thread ---------------------------------------------------------------------
    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="sync-worker", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def wake(self) -> None:
        """Force a pass now (maintenance "立即同步", or after credentials were fixed)."""
        self._paused = False
        self._wake.set()

    def _run(self) -> None:
        delay = self.policy.first_attempt_delay()
        while not self._stop.is_set():
            self._wake.wait(delay)
            self._wake.clear()
            if self._stop.is_set():
                break
            was = self._status.link
            try:
                self.run_once()
            except Exception:  # keep delivering whatever one pass did wrong
                log.exception("sync pass failed")
            delay = self._next_delay(was)

    def _next_delay(self, link_before: Link) -> float:
        if self._paused:
            return 3600.0
        st = self._status
        now, mono = self._clock(), self._mono()
        next_item = self.outbox.next_due_at(now)
        until_item = float("inf") if next_item is None else max(0.0, next_item - now)
        until_status = max(0.0, self._next_status_pull - mono)
        until_task = min((max(0.0, t.next_at - mono) for t in self.tasks), default=float("inf"))
        if st.link == Link.DOWN:
            # A down link is probed on its own backoff, with the platform's last Retry-After
            # as a floor. A status pull or a task that is due stays due until it succeeds,
            # so while the link is down they wait for the probe: otherwise a failed pull is
            # retried at once, in a loop (a hot loop against an overloaded platform).
            probe = self.policy.delay(st.consecutive_failures, self._last_retry_after)
            until_status = max(until_status, probe)
            until_task = max(until_task, probe)
        else:
            probe = float("inf")
        delay = min(until_item, until_status, until_task, probe, 300.0)
        if st.link == Link.UP and link_before == Link.DOWN:
            delay = max(delay, self.policy.first_attempt_delay())  # reconnect spread
        return delay
