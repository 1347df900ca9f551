"""Camera previews for QML: frames from a ``PreviewStream`` shown through an image provider.

``FrameProvider`` is registered once on the engine as ``image://kiosk/``; a view-model puts a
``QImage`` under a name (``doc``, ``face``, ``scan-<material>``) and bumps a serial that the
QML ``Image`` appends to its source (``image://kiosk/doc/17``) so it reloads. Images live
only in memory and are dropped at the session wipe.

``Preview`` runs one camera's preview stream: the stream's worker calls ``on_frame`` when a
new frame waits; a queued signal brings that to the GUI thread, which takes the newest frame
(older ones were dropped by the stream, never queued), converts it and hands it and the
``process`` hook's analysis to the view-model. Errors (a camera unplugged) arrive the same
way.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, QSize, Signal, Slot
from PySide6.QtGui import QImage
from PySide6.QtQuick import QQuickImageProvider

log = logging.getLogger(__name__)


def to_qimage(frame: np.ndarray) -> QImage:
    """BGR uint8 (h, w, 3) → an independent RGB QImage. The channels are swapped straight
    into the image's own buffer: one frame-sized allocation, not an RGB copy plus a QImage
    copy of it (a preview converts ten frames a second)."""
    h, w = frame.shape[:2]
    image = QImage(w, h, QImage.Format.Format_RGB888)
    rows = np.frombuffer(image.bits(), np.uint8, count=image.sizeInBytes())
    rows = rows.reshape(h, image.bytesPerLine())  # lines are padded to 4 bytes
    rows[:, :3 * w].reshape(h, w, 3)[...] = frame[:, :, ::-1]
    return image


class FrameProvider(QQuickImageProvider):
    """``image://kiosk/<name>/<serial>`` → the image last stored under ``name``."""

    def __init__(self) -> None:
        super().__init__(QQuickImageProvider.ImageType.Image)
        self._images: dict[str, QImage] = {}
        self._lock = threading.Lock()

    def put(self, name: str, image: QImage) -> None:
        with self._lock:
            self._images[name] = image

    def drop(self, name: str) -> None:
        with self._lock:
            self._images.pop(name, None)

    def clear(self) -> None:
        with self._lock:
            self._images.clear()

    def names(self) -> list[str]:
        with self._lock:
            return list(self._images)

    def requestImage(self, id: str, size: QSize, requested: QSize) -> QImage:
        name = id.rsplit("/", 1)[0]
        with self._lock:
            image = self._images.get(name)
        if image is None:
            image = QImage(2, 2, QImage.Format.Format_RGB888)
            image.fill(0)
        if size is not None:
            size.setWidth(image.width())
            size.setHeight(image.height())
        if requested.isValid() and requested.width() > 0 and requested.height() > 0:
            return image.scaled(requested)
        return image


class Preview(QObject):
    """One preview stream of one camera, delivering on the GUI thread (see the module
    docstring). ``start(process)``/``stop()``; ``on_frame(image, analysis)`` and
    ``on_error(user_message)`` are called on the GUI thread."""

    _ready = Signal()
    _failed = Signal(str)

    def __init__(self, camera: Any, on_frame: Callable[[np.ndarray, Any], None],
                 on_error: Callable[[str], None], *, max_fps: float = 10.0,
                 max_width: int = 960) -> None:
        super().__init__()
        self._camera = camera
        self._on_frame = on_frame
        self._on_error = on_error
        self._max_fps = max_fps
        self._max_width = max_width
        self._stream: Any = None
        self._ready.connect(self._take)
        self._failed.connect(self._report)

    @property
    def running(self) -> bool:
        return self._stream is not None

    def start(self, process: Callable[[np.ndarray], Any] | None = None) -> None:
        self.stop()
        self._stream = self._camera.start_preview(
            self._ready.emit, max_fps=self._max_fps, max_width=self._max_width,
            process=process, on_error=self._stream_error)

    def stop(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            stream.stop()

    def _stream_error(self, err: Exception) -> None:  # worker thread
        self._failed.emit(getattr(err, "user_message", "") or "摄像头暂不可用，请联系工作人员")

    @Slot()
    def _take(self) -> None:
        stream = self._stream
        if stream is None:
            return
        frame = stream.take()
        if frame is not None:
            self._on_frame(frame.image, frame.analysis)

    @Slot(str)
    def _report(self, message: str) -> None:
        if self._stream is not None:
            self._on_error(message)
