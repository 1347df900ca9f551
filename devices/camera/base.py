"""The ``Camera`` port: the citizen-facing camera and the 高拍仪 (document camera).

Frames are numpy arrays, BGR, ``uint8``, shape ``(height, width, 3)`` — OpenCV's layout; the
UI converts them itself (``ui/`` owns Qt). Public methods (here) own retries, the
"disconnected" decision, logging and the preview thread; a backend implements small hooks:

============================  ==================================================================
``_open()`` / ``_close()``    acquire / release the source (``Device`` makes both idempotent)
``_read_raw()``               one frame, or ``None`` for a failed read (may raise DeviceError)
``_capture_still_raw()``      a fresh full-resolution frame (default: flush, then read)
``_info()``                   resolution, fps, source… for ``describe()``
============================  ==================================================================

Contract
--------
* ``read_frame()`` returns the next frame. A failed read is retried up to
  ``max_failed_reads`` times in a row (``retry_delay_s`` apart); then the camera is treated as
  gone: the source is released, ``is_open`` becomes False and ``DeviceUnavailableError`` with
  ``user_message`` "摄像头连接中断，请联系工作人员" is raised. ``open()`` again recovers (a
  preview stream does that by itself every ``reopen_interval_s``).
* ``capture_still()`` returns a *fresh* full-resolution frame: buffered frames are discarded
  first, so the still shows what is in front of the camera now, not what was there when the
  preview last looked.
* ``start_preview(on_frame)`` runs a ``PreviewStream`` on a ``DeviceWorker`` thread at most
  ``max_fps`` times a second. It keeps **one** slot: each new frame overwrites the slot (the
  old frame, if nobody took it, is dropped — never queued), and ``on_frame()`` is called only
  when the slot goes from empty to full. The consumer (``ui/bridge.py``: a queued Qt signal,
  then ``stream.take()`` on the GUI thread) therefore has at most one notification pending,
  and the frame it takes is always the newest produced — latency is bounded by construction
  to one produce interval plus the consumer's own delay, whatever the consumer's speed.
  An optional ``process(image)`` hook runs on the worker thread (page detection, face
  check) and its result travels with the frame as ``PreviewFrame.analysis``.
* ``close()`` stops every preview stream of this camera (joins its thread) and releases the
  source; it is idempotent and never raises.
* ``self_test()``: opens, reads a frame, checks the frame is not black (mean grey ≥ 8) and
  the stream is not frozen (a later frame differs from the first: real sensors always have
  noise), and closes the camera again if it was closed before.

Privacy: the port keeps no frames except the one preview slot; face frames are never written
anywhere by this package (PIPL 第28条, GB/T 35273 §6.3 c).
"""

from __future__ import annotations

import abc
import contextlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from devices.base import Device, DeviceWorker, SelfTestResult
from kiosk.errors import DeviceError, DeviceUnavailableError

log = logging.getLogger(__name__)

Frame = np.ndarray  # BGR uint8 (h, w, 3)

DISCONNECTED_ZH = "摄像头连接中断，请联系工作人员"
NOT_OPEN_ZH = "摄像头未打开，请联系工作人员"


def is_black(frame: Frame, threshold: float = 8.0) -> bool:
    return float(frame.mean()) < threshold


def frames_identical(a: Frame, b: Frame) -> bool:
    return a.shape == b.shape and bool(np.array_equal(a, b))


@dataclass(frozen=True)
class PreviewFrame:
    image: Frame            # downscaled to the stream's max_width (a new array per frame)
    seq: int                # 1, 2, 3 … in production order (gaps = dropped frames)
    timestamp: float        # time.monotonic() when read
    scale: float            # image width / full frame width
    analysis: Any = None    # what the stream's ``process`` hook returned, if any


@dataclass
class PreviewStats:
    produced: int = 0
    delivered: int = 0       # taken by the consumer
    dropped: int = 0         # overwritten before anyone took them
    errors: int = 0
    last_error: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


class Camera(Device):
    """Base of every camera backend; see the module docstring for the contract."""

    kind: ClassVar[str] = "camera"
    label_zh: ClassVar[str] = "摄像头"

    def __init__(self, *, max_failed_reads: int = 5, retry_delay_s: float = 0.02,
                 still_flush_frames: int = 2) -> None:
        super().__init__()
        self.max_failed_reads = max(1, int(max_failed_reads))
        self.retry_delay_s = max(0.0, float(retry_delay_s))
        self.still_flush_frames = max(0, int(still_flush_frames))
        self.frames_read = 0
        self._previews: list[PreviewStream] = []
        self._previews_lock = threading.Lock()

    # -- hooks ---------------------------------------------------------------------------
    @abc.abstractmethod
    def _read_raw(self) -> Frame | None: ...

    def _capture_still_raw(self) -> Frame | None:
        for _ in range(self.still_flush_frames):
            self._read_raw()
        return self._read_raw()

    def _info(self) -> dict[str, Any]:
        return {}

    # -- public API ------------------------------------------------------------------------
    def read_frame(self) -> Frame:
        """The next frame (BGR uint8). Raises DeviceUnavailableError when not open or after
        ``max_failed_reads`` failed reads in a row (then the camera is closed)."""
        return self._read(self._read_raw, "read_frame")

    def capture_still(self) -> Frame:
        """A fresh frame at the camera's full configured resolution."""
        return self._read(self._capture_still_raw, "capture_still")

    def _read(self, hook: Callable[[], Frame | None], what: str) -> Frame:
        with self._lifecycle:
            if not self.is_open:
                raise DeviceUnavailableError(f"{self}: {what} on a closed camera",
                                             user_message=NOT_OPEN_ZH)
            last = "read returned no frame"
            cause: Exception | None = None
            for attempt in range(self.max_failed_reads):
                if attempt:
                    time.sleep(self.retry_delay_s)
                try:
                    frame = hook()
                except DeviceError as err:
                    frame, last, cause = None, err.detail or str(err), err
                if frame is not None and frame.size:
                    self.frames_read += 1
                    return frame
                hook = self._read_raw  # retries of a still are plain reads
            self._lost()
        raise DeviceUnavailableError(
            f"{self}: {self.max_failed_reads} failed reads in a row ({last}); camera closed, "
            "open() again to recover", user_message=DISCONNECTED_ZH) from cause

    def _lost(self) -> None:
        """The source is gone: release it without stopping the previews (they reopen)."""
        log.warning("%s: lost, releasing", self)
        self._opened = False
        try:
            self._close()
        except Exception as err:  # the device is gone anyway
            log.debug("%s: release after loss: %s", self, err)

    def start_preview(self, on_frame: Callable[[], None] | None = None, *,
                      max_fps: float = 12.0, max_width: int = 960,
                      process: Callable[[Frame], Any] | None = None,
                      on_error: Callable[[Exception], None] | None = None,
                      reopen_interval_s: float = 1.0) -> PreviewStream:
        """Start a preview stream (see the module docstring); stop it with ``stream.stop()``
        or ``camera.close()``."""
        stream = PreviewStream(self, on_frame, max_fps=max_fps, max_width=max_width,
                               process=process, on_error=on_error,
                               reopen_interval_s=reopen_interval_s)
        with self._previews_lock:
            self._previews.append(stream)
        stream.start()
        return stream

    def _forget_preview(self, stream: PreviewStream) -> None:
        with self._previews_lock:
            if stream in self._previews:
                self._previews.remove(stream)

    def close(self) -> None:
        with self._previews_lock:
            streams = list(self._previews)
        for stream in streams:
            stream.stop()
        super().close()

    def describe(self) -> dict[str, Any]:
        info = super().describe()
        info.update(self._info())
        info["frames_read"] = self.frames_read
        return info

    def self_test(self) -> SelfTestResult:
        was_open = self.is_open
        checks: dict[str, str] = {}
        try:
            self.open()
            checks["open"] = "ok"
            first = self.read_frame()
            h, w = first.shape[:2]
            checks["read"] = f"ok {w}x{h}"
            mean = float(first.mean())
            if is_black(first):
                checks["not_black"] = f"frame is black (mean {mean:.1f})"
                return SelfTestResult(False, f"{self.label_zh}画面全黑，请检查镜头或光源",
                                      checks, checks["not_black"])
            checks["not_black"] = f"ok (mean {mean:.0f})"
            later = first
            for _ in range(3):
                later = self.read_frame()
            if frames_identical(first, later):
                checks["not_frozen"] = "4 frames identical"
                return SelfTestResult(False, f"{self.label_zh}画面静止不动，请检查设备",
                                      checks, checks["not_frozen"])
            checks["not_frozen"] = "ok"
            return SelfTestResult(True, f"{self.label_zh}正常", checks)
        except DeviceError as err:
            failed = next((k for k in ("open", "read") if k not in checks), "read")
            checks[failed] = err.detail
            return SelfTestResult(False, f"{self.label_zh}无法使用：{err.user_message}", checks,
                                  err.detail)
        finally:
            if not was_open:
                self.close()


class PreviewStream:
    """One camera's preview on a ``DeviceWorker``: a latest-frame slot plus an edge-triggered
    ``on_frame()`` notification. See the module docstring of ``devices.camera.base``."""

    def __init__(self, camera: Camera, on_frame: Callable[[], None] | None = None, *,
                 max_fps: float = 12.0, max_width: int = 960,
                 process: Callable[[Frame], Any] | None = None,
                 on_error: Callable[[Exception], None] | None = None,
                 reopen_interval_s: float = 1.0) -> None:
        if max_fps <= 0:
            raise ValueError("max_fps must be positive")
        self.camera = camera
        self.period_s = 1.0 / max_fps
        self.max_width = max_width
        self._on_frame = on_frame
        self._process = process
        self._on_error = on_error
        self._reopen_interval = reopen_interval_s
        self._lock = threading.Lock()
        self._slot: PreviewFrame | None = None
        self._seq = 0
        self.stats = PreviewStats()
        self._stop = threading.Event()
        self._next_due = 0.0
        self._next_reopen = 0.0
        self._worker = DeviceWorker(f"preview-{camera.kind}", self._poll, interval_s=0.0,
                                    on_error=self._report)

    # -- consumer side ---------------------------------------------------------------------
    def take(self) -> PreviewFrame | None:
        """The newest frame, emptying the slot (the next frame will notify again)."""
        with self._lock:
            frame, self._slot = self._slot, None
            if frame is not None:
                self.stats.delivered += 1
            return frame

    @property
    def produced(self) -> int:
        with self._lock:
            return self.stats.produced

    @property
    def running(self) -> bool:
        return self._worker.running

    # -- lifetime ------------------------------------------------------------------------
    def start(self) -> None:
        self._stop.clear()
        self._worker.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        # From the stream's own thread (a callback closed the camera) the join fails, but
        # the worker's flag is set before that, so its loop ends after this poll.
        with contextlib.suppress(RuntimeError):
            self._worker.stop(timeout)
        self.camera._forget_preview(self)

    # -- producer side (worker thread) ---------------------------------------------------
    def _poll(self) -> None:
        delay = self._next_due - time.monotonic()
        if delay > 0 and self._stop.wait(delay):
            return
        self._next_due = time.monotonic() + self.period_s
        if self._stop.is_set():
            return
        cam = self.camera
        if not cam.is_open:
            now = time.monotonic()
            if now < self._next_reopen:
                self._stop.wait(min(self._next_reopen - now, self.period_s))
                return
            self._next_reopen = now + self._reopen_interval
            cam.open()  # raises while the camera is still gone → _report
            log.info("%s: preview reopened the camera", cam)
        full = cam.read_frame()
        image, scale = _fit_width(full, self.max_width)
        analysis = self._process(image) if self._process is not None else None
        notify = False
        with self._lock:
            self._seq += 1
            self.stats.produced += 1
            if self._slot is not None:
                self.stats.dropped += 1
            else:
                notify = True
            self._slot = PreviewFrame(image, self._seq, time.monotonic(), scale, analysis)
        if notify and self._on_frame is not None:
            self._on_frame()

    def _report(self, err: Exception) -> None:
        with self._lock:
            self.stats.errors += 1
            self.stats.last_error = str(err)
        if self._on_error is not None:
            self._on_error(err)
        else:
            log.warning("%s preview: %s", self.camera, err)
        # don't spin on a dead camera: wait (interruptibly) before the next attempt
        self._stop.wait(min(self._reopen_interval, 1.0))


def _fit_width(frame: Frame, max_width: int) -> tuple[Frame, float]:
    w = frame.shape[1]
    if max_width <= 0 or w <= max_width:
        return frame, 1.0
    import cv2  # lazy: the port itself does not need OpenCV to be importable

    h = frame.shape[0]
    size = (max_width, max(1, round(h * max_width / w)))
    return cv2.resize(frame, size, interpolation=cv2.INTER_AREA), max_width / w
