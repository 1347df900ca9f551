"""``OpenCvCamera``: any source ``cv2.VideoCapture`` can open — the real backend.

``source`` (a string, so it fits the TOML options):

=====================================  ==========================================================
``"0"``, ``"2"``                        device index → V4L2 on Linux (``CAP_V4L2``), else any API
``"/dev/video2"``                       V4L2 device node (stable names: ``/dev/v4l/by-id/…``)
``"rtsp://…"``, ``"http://…"``          network stream → FFmpeg
``"frames/f_%03d.png"``                 image sequence (printf pattern) → ``CAP_IMAGES``
``"clip.avi"``, ``"clip.mp4"``          video file → FFmpeg (end of file = the camera is gone)
=====================================  ==========================================================

On a live device the FOURCC is set before the size (UVC document cameras only offer their
5 MP modes as MJPG), then size and fps; the driver buffer is cut to one frame
(``CAP_PROP_BUFFERSIZE``) so a slow reader sees recent frames, and ``warmup_frames`` frames are
read and discarded while auto-exposure settles. The size actually delivered is checked
against the request: a mismatch is logged and shown by ``describe()`` (``size_mismatch``) —
many cameras silently fall back to 640×480.

A camera unplugged mid-stream makes ``VideoCapture.read()`` fail (a stalled one after the V4L2
select timeout, cut from OpenCV's 10 s to 2 s here); after ``max_failed_reads``
failures in a row the port raises ``DeviceUnavailableError`` ("摄像头连接中断") and releases the
capture; ``open()`` builds a new one (the preview stream retries by itself).
"""

from __future__ import annotations

import logging
import os
import re
import sys
from typing import Any, ClassVar

import cv2
import numpy as np

from devices.camera.base import Camera, Frame
from kiosk.errors import DeviceUnavailableError

log = logging.getLogger(__name__)

# OpenCV's V4L2 backend waits OPENCV_VIDEOIO_V4L_SELECT_TIMEOUT seconds (default 10) for each
# frame of a stalled or unplugged camera, holding the camera lock all that time (close() and
# the preview wait). It is read once, on the first V4L2 capture, so setting it at import —
# before any capture is opened — is early enough; an operator's own value wins.
if sys.platform.startswith("linux"):
    os.environ.setdefault("OPENCV_VIDEOIO_V4L_SELECT_TIMEOUT", "2")

OPEN_FAILED_ZH = "摄像头无法打开，请联系工作人员"


def parse_source(source: str) -> tuple[int | str, int, str]:
    """``source`` → (what VideoCapture gets, API preference, kind) with kind one of
    ``index``, ``device``, ``url``, ``sequence``, ``file``."""
    text = str(source).strip()
    linux = sys.platform.startswith("linux")
    if re.fullmatch(r"\d+", text):
        return int(text), (cv2.CAP_V4L2 if linux else cv2.CAP_ANY), "index"
    if text.startswith("/dev/"):
        return text, (cv2.CAP_V4L2 if linux else cv2.CAP_ANY), "device"
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", text):
        return text, cv2.CAP_FFMPEG, "url"
    if re.search(r"%0?\d*d", text):
        return text, cv2.CAP_IMAGES, "sequence"
    return text, cv2.CAP_ANY, "file"


def fourcc_text(code: float) -> str:
    value = int(code)
    chars = "".join(chr((value >> (8 * i)) & 0xFF) for i in range(4))
    return chars if chars.isprintable() and chars.strip() else ""


class OpenCvCamera(Camera):
    backend: ClassVar[str] = "opencv"

    def __init__(self, source: str = "0", width: int | None = None, height: int | None = None,
                 fourcc: str | None = None, fps: float | None = None, warmup_frames: int = 3,
                 max_failed_reads: int = 5, label: str | None = None) -> None:
        super().__init__(max_failed_reads=max_failed_reads)
        if fourcc is not None and len(fourcc) != 4:
            raise ValueError(f"fourcc must be 4 characters such as 'MJPG', not {fourcc!r}")
        if (width is None) != (height is None):
            raise ValueError("give both width and height, or neither")
        self.source = str(source)
        self.width, self.height = width, height
        self.fourcc = fourcc
        self.fps = fps
        self.warmup_frames = max(0, int(warmup_frames))
        self._label = label
        self._cap: Any = None
        self._kind = parse_source(self.source)[2]
        self._actual: tuple[int, int] | None = None
        self._api = ""
        if self._kind in ("file", "sequence", "url"):
            self.still_flush_frames = 0  # a file has no stale driver buffer to skip

    def location(self) -> str:
        return self._label or self.source

    # -- hooks -----------------------------------------------------------------------------
    def _open(self) -> None:
        target, api, kind = parse_source(self.source)
        if kind == "file" and not os.path.exists(str(target)):
            raise DeviceUnavailableError(f"{self.source}: no such file",
                                         user_message=OPEN_FAILED_ZH)
        cap = cv2.VideoCapture(target, api)
        if not cap.isOpened():
            cap.release()
            raise DeviceUnavailableError(f"cv2.VideoCapture({target!r}, api={api}) did not open",
                                         user_message=OPEN_FAILED_ZH)
        live = kind in ("index", "device")
        if live:
            if self.fourcc:
                cap.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter.fourcc(*self.fourcc))
            if self.width and self.height:
                cap.set(cv2.CAP_PROP_FRAME_WIDTH, self.width)
                cap.set(cv2.CAP_PROP_FRAME_HEIGHT, self.height)
            if self.fps:
                cap.set(cv2.CAP_PROP_FPS, self.fps)
            cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        self._cap = cap
        self._api = cap.getBackendName()
        first: Frame | None = None
        for _ in range(self.warmup_frames if live else 0):
            ok, frame = cap.read()
            if ok:
                first = frame
        if first is not None:
            self._actual = (first.shape[1], first.shape[0])
        else:
            w, h = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
            self._actual = (w, h) if w and h else None
        if self.width and self.height and self._actual and self._actual != (self.width,
                                                                            self.height):
            log.warning("%s: asked for %dx%d, got %dx%d", self, self.width, self.height,
                        *self._actual)

    def _close(self) -> None:
        cap, self._cap = self._cap, None
        if cap is not None:
            cap.release()

    def _read_raw(self) -> Frame | None:
        cap = self._cap
        if cap is None:
            return None
        try:
            ok, frame = cap.read()
        except cv2.error as err:
            log.debug("%s: read: %s", self, err)
            return None
        if not ok or frame is None:
            return None
        if frame.ndim == 2:
            frame = cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)
        self._actual = (frame.shape[1], frame.shape[0])
        return np.ascontiguousarray(frame)

    def _capture_still_raw(self) -> Frame | None:
        cap = self._cap
        if cap is None:
            return None
        for _ in range(self.still_flush_frames):  # grab() skips decoding: cheap
            cap.grab()
        return self._read_raw()

    def _info(self) -> dict[str, Any]:
        info: dict[str, Any] = {"source": self.source, "source_kind": self._kind,
                                "requested_size": [self.width, self.height]
                                if self.width else None,
                                "requested_fourcc": self.fourcc, "requested_fps": self.fps}
        cap = self._cap
        if cap is not None:
            info["api"] = self._api
            info["fps"] = round(float(cap.get(cv2.CAP_PROP_FPS)), 2)
            info["fourcc"] = fourcc_text(cap.get(cv2.CAP_PROP_FOURCC))
        if self._actual:
            info["resolution"] = list(self._actual)
            info["size_mismatch"] = bool(self.width and self._actual != (self.width,
                                                                         self.height))
        return info
