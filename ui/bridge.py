"""Adapters from core listener callbacks (plain threads) to Qt signals.

Core packages call their listeners on their own threads. A ``QObject`` created on the
GUI thread and emitting its signal from another thread delivers to slots on the GUI
thread (queued connection), so view-models never run on a worker thread and no worker
ever touches a GUI-owned object.

* :class:`SyncBridge` — the sync worker's link status;
* :class:`IdCardBridge` — an ``IdCardListener`` for the ID-card poller;
* :class:`SmartCardBridge` — a ``CardListener`` for the 社保卡 reader's monitor;
* :class:`BackgroundRunner` — one-off jobs (store an application, print, look up) on a
  plain thread, their result or error delivered on the GUI thread (STYLE.md §3's
  ``run_in_background(fn, on_done, on_error)``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from devices.idcard import IdCardData
from devices.smartcard import CardEvent, CardListener
from kiosk.errors import DeviceError
from sync.worker import SyncStatus, SyncWorker

log = logging.getLogger(__name__)


class SyncBridge(QObject):
    """The sync worker's link status, delivered on the GUI thread."""

    statusChanged = Signal(str, str)  # link state value, Chinese label

    def __init__(self, worker: SyncWorker) -> None:
        super().__init__()
        worker.add_listener(self._on_status)

    def _on_status(self, status: SyncStatus) -> None:  # called on the sync thread
        self.statusChanged.emit(status.link.value, status.link.label)


class IdCardBridge(QObject):
    """``IdCardListener`` whose events arrive as queued signals. The card object travels
    as ``object``: it is never copied into a Qt type (and never logged)."""

    cardRead = Signal(object)  # IdCardData
    cardRemoved = Signal()
    failed = Signal(str, str)  # Chinese message for the citizen, technical detail

    def on_card(self, card: IdCardData) -> None:  # poller thread
        self.cardRead.emit(card)

    def on_removed(self) -> None:  # poller thread
        self.cardRemoved.emit()

    def on_error(self, error: DeviceError) -> None:  # poller thread
        self.failed.emit(error.user_message, error.detail)


class SmartCardBridge(QObject, CardListener):
    """``CardListener`` of the 社保卡 reader; insert/remove/error as queued signals."""

    inserted = Signal()
    removed = Signal()
    failed = Signal(str, str)

    def on_inserted(self, event: CardEvent) -> None:  # monitor thread
        self.inserted.emit()

    def on_removed(self, event: CardEvent) -> None:  # monitor thread
        self.removed.emit()

    def on_error(self, error: DeviceError) -> None:  # monitor thread
        self.failed.emit(error.user_message, error.detail)


class _Job(QObject):
    """One background job's messenger: created on the GUI thread, so its slots run there."""

    succeeded = Signal(object)
    raised = Signal(object)

    def __init__(self, on_done: Callable[[Any], None],
                 on_error: Callable[[BaseException], None],
                 forget: Callable[[_Job], None]) -> None:
        super().__init__()
        self._on_done = on_done
        self._on_error = on_error
        self._forget = forget
        self.succeeded.connect(self._deliver_result)
        self.raised.connect(self._deliver_error)

    @Slot(object)
    def _deliver_result(self, result: Any) -> None:
        self._forget(self)
        self._on_done(result)

    @Slot(object)
    def _deliver_error(self, error: Any) -> None:
        self._forget(self)
        self._on_error(error)


class BackgroundRunner(QObject):
    """Runs one-off jobs on plain threads; ``on_done(result)`` / ``on_error(exc)`` run on
    the GUI thread. ``shutdown()`` joins what is still running (window close, tests)."""

    def __init__(self) -> None:
        super().__init__()
        self._threads: set[threading.Thread] = set()
        self._jobs: set[_Job] = set()
        self._lock = threading.Lock()

    def run(self, name: str, fn: Callable[[], Any], on_done: Callable[[Any], None],
            on_error: Callable[[BaseException], None]) -> None:
        job = _Job(on_done, on_error, self._jobs.discard)
        self._jobs.add(job)  # kept alive until its answer was delivered

        def target() -> None:
            try:
                result = fn()
            except Exception as err:  # delivered to on_error on the GUI thread
                log.info("background job %s failed: %s", name, type(err).__name__)
                job.raised.emit(err)
            else:
                job.succeeded.emit(result)
            finally:
                with self._lock:
                    self._threads.discard(threading.current_thread())

        thread = threading.Thread(target=target, name=f"job-{name}", daemon=True)
        with self._lock:
            self._threads.add(thread)
        thread.start()

    @property
    def busy(self) -> bool:
        with self._lock:
            return bool(self._threads)

    def shutdown(self, timeout: float = 10.0) -> None:
        """Wait for running jobs (their results are dropped if nobody processes events)."""
        with self._lock:
            threads = list(self._threads)
        for t in threads:
            t.join(timeout)
