"""Adapters from core listener callbacks (plain threads) to Qt signals.

Core packages call their listeners on their own threads. A ``QObject`` created on the
GUI thread and emitting its signal from another thread delivers to slots on the GUI
thread (queued connection), so view-models never run on a worker thread and no worker
ever touches a GUI-owned object.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from sync.worker import SyncStatus, SyncWorker


class SyncBridge(QObject):
    """The sync worker's link status, delivered on the GUI thread."""

    statusChanged = Signal(str, str)  # link state value, Chinese label

    def __init__(self, worker: SyncWorker) -> None:
        super().__init__()
        worker.add_listener(self._on_status)

    def _on_status(self, status: SyncStatus) -> None:  # called on the sync thread
        self.statusChanged.emit(status.link.value, status.link.label)
