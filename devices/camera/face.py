"""``FaceCheck``: is the citizen well placed in front of the camera? (not *who* they are)

Uses the frontal-face Haar cascade that ships inside ``opencv-python-headless`` 4.x
(``cv2.data.haarcascades``) — no model download. OpenCV 5 moved ``CascadeClassifier`` to
contrib and ships an empty ``cv2/data``: then ``FaceCheck.available`` is False and every check
returns ``UNAVAILABLE`` (the UI falls back to staff-assisted verification) instead of
crashing.

One call, one frame, checks in this order — the first failure wins, so the citizen gets one
instruction at a time:

================  =====================================================  ========================
status            condition (defaults)                                   instruction
================  =====================================================  ========================
``UNAVAILABLE``   no cascade in this OpenCV build                        人脸检测暂不可用…
``TOO_DARK``      whole frame mean grey < 40                             光线太暗
``NO_FACE``       no face found                                          请正对摄像头
``MULTIPLE``      2+ faces at least 60 % the size of the largest         请确保画面中只有您一人
``TOO_SMALL``     face width < 18 % of frame width                       请靠近一些
``TOO_LARGE``     face width > 70 % of frame width                       请离远一些
``OFF_CENTRE``    face centre > 20 % (x) / 25 % (y) of the frame off      请将面部移到画面中央
``TOO_DARK``      face mean grey < 70                                    光线太暗
``TOO_BRIGHT``    face mean grey > 215                                   光线太强
``BLURRED``       variance of Laplacian of the face (128 px wide) < 30   请保持不动
``MOVING``        face moved > 12 % of its width since the last frame    请保持不动
``OK``                                                                    很好，请保持
================  =====================================================  ========================

Detection runs on a grey, contrast-limited-equalised (CLAHE) copy ``work_width`` (480) pixels
wide, so a dim face is still *found* and then reported as too dark. The thresholds are constructor
options; they were set on the synthetic test pattern and need a calibration pass on the
real camera and hall lighting (``FaceCheckResult.metrics`` has every measured figure).

Privacy (PIPL 第28条 biometric data; GB/T 35273 §6.3 c; 人脸识别技术应用安全管理办法):
``FaceCheck`` keeps no image, crop or template — only the last face *box* (four integers,
to detect movement) — and writes nothing anywhere. Results carry geometry and scores only.
"""

from __future__ import annotations

import enum
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

log = logging.getLogger(__name__)

DEFAULT_CASCADE = "haarcascade_frontalface_default.xml"


class FaceStatus(enum.Enum):
    OK = "ok"
    UNAVAILABLE = "unavailable"
    NO_FACE = "no_face"
    MULTIPLE = "multiple"
    TOO_SMALL = "too_small"
    TOO_LARGE = "too_large"
    OFF_CENTRE = "off_centre"
    TOO_DARK = "too_dark"
    TOO_BRIGHT = "too_bright"
    BLURRED = "blurred"
    MOVING = "moving"


INSTRUCTIONS_ZH: dict[FaceStatus, str] = {
    FaceStatus.OK: "很好，请保持",
    FaceStatus.UNAVAILABLE: "人脸检测暂不可用，请联系工作人员",
    FaceStatus.NO_FACE: "请正对摄像头",
    FaceStatus.MULTIPLE: "请确保画面中只有您一人",
    FaceStatus.TOO_SMALL: "请靠近一些",
    FaceStatus.TOO_LARGE: "请离远一些",
    FaceStatus.OFF_CENTRE: "请将面部移到画面中央",
    FaceStatus.TOO_DARK: "光线太暗",
    FaceStatus.TOO_BRIGHT: "光线太强",
    FaceStatus.BLURRED: "请保持不动",
    FaceStatus.MOVING: "请保持不动",
}


@dataclass(frozen=True)
class FaceCheckResult:
    status: FaceStatus
    box: tuple[int, int, int, int] | None = None  # x, y, w, h in frame pixels
    faces: int = 0
    metrics: Mapping[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status is FaceStatus.OK

    @property
    def instruction_zh(self) -> str:
        return INSTRUCTIONS_ZH[self.status]

    def as_dict(self) -> dict[str, Any]:
        return {"status": self.status.value, "ok": self.ok, "instruction_zh": self.instruction_zh,
                "box": list(self.box) if self.box else None, "faces": self.faces,
                "metrics": {k: round(v, 3) for k, v in self.metrics.items()}}


def _load_cascade(path: str | None) -> tuple[Any, str]:
    cls = getattr(cv2, "CascadeClassifier", None)
    if cls is None:
        return None, f"cv2 {cv2.__version__} has no CascadeClassifier (OpenCV 5 moved it)"
    if path is None:
        data = getattr(getattr(cv2, "data", None), "haarcascades", "")
        path = os.path.join(data, DEFAULT_CASCADE) if data else ""
    if not path or not os.path.exists(path):
        return None, f"cascade file not found: {path or DEFAULT_CASCADE}"
    cascade = cls(path)
    if cascade.empty():
        return None, f"cascade file could not be loaded: {path}"
    return cascade, ""


class FaceCheck:
    """See the module docstring. One instance per camera; ``check()`` from one thread."""

    def __init__(self, *, min_face_frac: float = 0.18, max_face_frac: float = 0.7,
                 centre_tolerance: float = 0.2, min_frame_brightness: float = 40.0,
                 min_brightness: float = 70.0, max_brightness: float = 215.0,
                 min_sharpness: float = 30.0, max_motion: float = 0.12,
                 work_width: int = 480, cascade_path: str | None = None) -> None:
        self.min_face_frac, self.max_face_frac = min_face_frac, max_face_frac
        self.centre_tolerance = centre_tolerance
        self.min_frame_brightness = min_frame_brightness
        self.min_brightness, self.max_brightness = min_brightness, max_brightness
        self.min_sharpness = min_sharpness
        self.max_motion = max_motion
        self.work_width = work_width
        self._cascade, self.unavailable_reason = _load_cascade(cascade_path)
        self._last_box: tuple[int, int, int, int] | None = None
        self._clahe = cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8))
        if self._cascade is None:
            log.warning("face check unavailable: %s", self.unavailable_reason)

    @property
    def available(self) -> bool:
        return self._cascade is not None

    def reset(self) -> None:
        self._last_box = None

    def detect(self, frame: np.ndarray) -> list[tuple[int, int, int, int]]:
        """Face boxes (x, y, w, h) in frame pixels, largest first; [] when unavailable."""
        if self._cascade is None:
            return []
        gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY) if frame.ndim == 3 else frame
        gh, gw = gray.shape[:2]
        r = min(1.0, self.work_width / gw)
        small = cv2.resize(gray, (int(gw * r), int(gh * r)), interpolation=cv2.INTER_AREA) \
            if r < 1.0 else gray
        # local contrast (CLAHE) rather than a global equalisation, which washes out a
        # face in front of a large uniform wall
        small = self._clahe.apply(small)
        min_side = max(20, int(small.shape[1] * self.min_face_frac * 0.4))
        found = self._cascade.detectMultiScale(small, scaleFactor=1.1, minNeighbors=5,
                                               minSize=(min_side, min_side))
        boxes = [(round(x / r), round(y / r), round(w / r), round(h / r))
                 for x, y, w, h in found]
        return sorted(boxes, key=lambda b: b[2] * b[3], reverse=True)

    def check(self, frame: np.ndarray) -> FaceCheckResult:
        if self._cascade is None:
            return FaceCheckResult(FaceStatus.UNAVAILABLE)
        gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY) if frame.ndim == 3 else frame
        fh, fw = gray.shape[:2]
        frame_mean = float(gray.mean())
        metrics: dict[str, float] = {"frame_brightness": frame_mean}
        if frame_mean < self.min_frame_brightness:
            self._last_box = None
            return FaceCheckResult(FaceStatus.TOO_DARK, None, 0, metrics)
        boxes = self.detect(gray)
        if not boxes:
            self._last_box = None
            return FaceCheckResult(FaceStatus.NO_FACE, None, 0, metrics)
        main = boxes[0]
        near = [b for b in boxes if b[2] >= 0.6 * main[2]]
        x, y, w, h = main
        metrics["face_width_frac"] = w / fw
        metrics["offset_x"] = (x + w / 2 - fw / 2) / fw
        metrics["offset_y"] = (y + h / 2 - fh / 2) / fh
        roi = gray[max(0, y):y + h, max(0, x):x + w]
        metrics["brightness"] = float(roi.mean())
        norm = cv2.resize(roi, (128, max(1, round(128 * roi.shape[0] / max(1, roi.shape[1])))),
                          interpolation=cv2.INTER_AREA)
        metrics["sharpness"] = float(cv2.Laplacian(norm, cv2.CV_64F).var())
        previous, self._last_box = self._last_box, main
        if previous is not None:
            metrics["motion"] = float(np.hypot(x + w / 2 - previous[0] - previous[2] / 2,
                                               y + h / 2 - previous[1] - previous[3] / 2)) / w
        status = FaceStatus.OK
        if len(near) > 1:
            status = FaceStatus.MULTIPLE
        elif metrics["face_width_frac"] < self.min_face_frac:
            status = FaceStatus.TOO_SMALL
        elif metrics["face_width_frac"] > self.max_face_frac:
            status = FaceStatus.TOO_LARGE
        elif (abs(metrics["offset_x"]) > self.centre_tolerance
              or abs(metrics["offset_y"]) > 1.25 * self.centre_tolerance):
            status = FaceStatus.OFF_CENTRE
        elif metrics["brightness"] < self.min_brightness:
            status = FaceStatus.TOO_DARK
        elif metrics["brightness"] > self.max_brightness:
            status = FaceStatus.TOO_BRIGHT
        elif metrics["sharpness"] < self.min_sharpness:
            status = FaceStatus.BLURRED
        elif metrics.get("motion", 0.0) > self.max_motion:
            status = FaceStatus.MOVING
        return FaceCheckResult(status, main, len(near), metrics)
